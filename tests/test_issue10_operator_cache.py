"""Issue 10, items 4 and 5 in the process: the operator accounts cache and refused calls.

Item 4: a flood of unauthenticated calls with random operator ids costs no database query,
no memory per id, cannot evict the real operators, writes one throttled log line per reason
and interval, and never puts what such a caller sent into a metric label.
Item 5: the accounts are kept when the database cannot be read (stale if error): calls are
still verified and answered with a signed ERROR; a process that never read them answers 503
(per the spec's Response section, any non-200 answer counts as OP_50, which is retried).
"""

from __future__ import annotations

import logging
import secrets

import pytest
from django.db import OperationalError
from prometheus_client import REGISTRY

from operators import accounts as operators
from operators.models import Operator
from platform_wallet import gameplay
from platform_wallet.throttle import LogThrottle
from tests.factories import OperatorFactory
from tests.wallet_client import WalletClient

pytestmark = pytest.mark.django_db

BALANCE = {"user_id": "611", "currency_code": "EUR", "token": "x" * 40}
DENIED = {"command": "balance", "status": "DENIED", "error_code": ""}


def denied_total() -> float:
    return REGISTRY.get_sample_value("wallet_requests_total", DENIED) or 0.0


def random_operator(client, operator: Operator) -> WalletClient:
    stranger = Operator(operator_id=secrets.token_hex(8), secret_key=operator.secret_key)
    return WalletClient(stranger)


# --- item 4: floods -------------------------------------------------------------------------
def test_issue10_unknown_operator_ids_cost_no_query_and_no_memory(
    client, api: WalletClient, operator: Operator, player, django_assert_num_queries
) -> None:
    assert api.call("balance", BALANCE).http_status == 200  # the accounts are read once
    with django_assert_num_queries(0):
        for _ in range(300):
            assert random_operator(client, operator).call("balance", BALANCE).http_status == 403
    accounts = operators._snapshot.accounts
    assert accounts is not None and set(accounts) == {"examplecasino"}
    # the real operator is still known, and still served
    assert api.call("balance", BALANCE).http_status == 200


def test_issue10_the_accounts_are_read_in_one_query_per_interval(
    operator: Operator, django_assert_num_queries
) -> None:
    OperatorFactory(operator_id="brand2")
    OperatorFactory(operator_id="retired", is_active=False)
    with django_assert_num_queries(1):
        assert operators.operator_account("brand2") is not None
        assert operators.operator_account("examplecasino") is not None
        assert operators.operator_account("retired") is None
        assert operators.operator_account("nobody") is None
    operators._snapshot.fresh_until = 0.0  # WALLET_OPERATOR_CACHE_SECONDS later: read again
    with django_assert_num_queries(1):
        operators.operator_account("nobody")


def test_issue10_refused_calls_write_one_line_per_interval_and_count_every_call(
    client, operator: Operator, caplog: pytest.LogCaptureFixture, settings
) -> None:
    settings.WALLET_DENIED_LOG_SECONDS = 3600
    before = denied_total()
    with caplog.at_level(logging.INFO, logger="wallet.calls"):
        for _ in range(50):
            random_operator(client, operator).call("balance", BALANCE)
    lines = [r for r in caplog.records if r.name == "wallet.calls"]
    assert len(lines) == 1
    assert lines[0].levelno == logging.WARNING and "unknown operator" in lines[0].getMessage()
    assert denied_total() == before + 50  # the metric counts every call


def test_issue10_the_next_line_tells_how_many_calls_it_stands_for() -> None:
    throttle = LogThrottle(10.0)
    assert throttle.admit("DENIED unknown operator", now=100.0) == 1
    assert [throttle.admit("DENIED unknown operator", now=100.0 + n) for n in range(1, 5)] == [
        None
    ] * 4
    # another reason has its own interval: a real misconfiguration is not drowned
    assert throttle.admit("DENIED address not allowed", now=101.0) == 1
    assert throttle.admit("DENIED unknown operator", now=110.5) == 5  # 4 suppressed + this


def test_issue10_metric_labels_never_carry_what_an_unknown_caller_sent(
    client, operator: Operator
) -> None:
    stranger = random_operator(client, operator)
    stranger.call("balance", BALANCE)
    stranger.post_raw(f"deposit-{stranger.operator.operator_id}", b"{}")  # an unknown path
    text = client.get("/metrics").content.decode()
    assert stranger.operator.operator_id not in text


# --- item 5: stale if error -----------------------------------------------------------------
def _database_unreadable(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    reads: list[int] = []

    def unreadable() -> dict[str, operators.OperatorAccount]:
        reads.append(1)
        raise OperationalError("connection refused")

    monkeypatch.setattr(operators, "_read_accounts", unreadable)
    return reads


def test_issue10_when_the_accounts_cannot_be_read_the_last_ones_are_used(
    api: WalletClient, player, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert api.call("balance", BALANCE).http_status == 200
    operators._snapshot.fresh_until = 0.0  # WALLET_OPERATOR_CACHE_SECONDS later
    reads = _database_unreadable(monkeypatch)

    def database_gone(operator: object, data: object) -> None:
        raise OperationalError("the connection is closed")

    monkeypatch.setitem(gameplay.COMMANDS, "balance", database_gone)
    answers = [api.call("balance", BALANCE) for _ in range(3)]
    # verified and signed (WalletClient checks the response hash) with the last accounts
    assert [(a.http_status, a.error_code) for a in answers] == [(200, "OP_50")] * 3
    assert len(reads) == 1  # then retried after WALLET_OPERATOR_RETRY_SECONDS, not per call


def test_issue10_a_process_that_never_read_the_accounts_answers_503(
    api: WalletClient, player, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads = _database_unreadable(monkeypatch)
    answers = [api.call("balance", BALANCE) for _ in range(3)]
    assert {a.http_status for a in answers} == {503}
    assert len(reads) == 1  # no read per call while it waits to retry
    monkeypatch.undo()
    operators.operator_cache_clear()
    assert api.call("balance", BALANCE).http_status == 200


def test_issue10_a_worker_reads_the_accounts_before_its_first_call(
    operator: Operator, django_assert_num_queries
) -> None:
    assert operators.operator_accounts_warm(wait_seconds=0)
    with django_assert_num_queries(0):
        assert operators.operator_account("examplecasino") is not None


def test_issue10_warming_up_without_a_database_gives_up_in_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads = _database_unreadable(monkeypatch)
    assert operators.operator_accounts_warm(wait_seconds=0.6) is False
    assert 2 <= len(reads) <= 3  # tried again every half second
