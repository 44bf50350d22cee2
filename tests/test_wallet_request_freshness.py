"""Issue 10: a captured request moves no money.

Spec, "Request and response signing": the request hash is sha1(command + request_timestamp +
secret) and never covers `data`, so a captured request's headers and hash would accept any data
for as long as its timestamp is accepted. The wallet refuses a request_timestamp older than
WALLET_MAX_REQUEST_AGE or further in the future than WALLET_MAX_REQUEST_SKEW (OP_20), moves
nothing, and counts and logs the refusal as a security event.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import pytest
from django.test import override_settings
from prometheus_client import REGISTRY

from platform_wallet.models import ApiErrorLog, LedgerEntry, Transaction
from tests.factories import PlayerFactory, wallet_for
from tests.wallet_client import WalletClient, new_id, sha1

pytestmark = pytest.mark.django_db


def stamp(seconds_ago: float) -> str:
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=seconds_ago)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def events(event: str) -> float:
    return REGISTRY.get_sample_value("wallet_security_events_total", {"event": event}) or 0.0


def win(api: WalletClient, *, timestamp: str, user_id: str = "611", amount: str = "5000.00"):
    data = {
        "token": None,
        "user_id": user_id,
        "transaction_type": "WIN",
        "transaction_id": new_id(),
        "round_id": new_id(),
        "round_finished": True,
        "game_id": 200,
        "currency_code": "EUR",
        "amount": Decimal(amount),
    }
    return api.call("changebalance", data, timestamp=timestamp)


def test_issue10_captured_bet_replayed_with_a_win_for_another_player_is_refused(
    api: WalletClient, session, wallet, operator
) -> None:
    """The reproduction of the issue: a BET's X-Authorization, timestamp and hash, captured
    from a log yesterday, reused with the data of a WIN of 5000.00 for another player."""
    other = PlayerFactory(operator=operator, user_id="777")
    other_wallet = wallet_for(other, "EUR", "0.00")
    captured_at = stamp(24 * 3600)
    captured_hash = sha1("changebalance" + captured_at + operator.secret_key)
    before = events("stale_request")

    answer = api.call(
        "changebalance",
        {
            "token": None,
            "user_id": "777",
            "transaction_type": "WIN",
            "transaction_id": new_id(),
            "round_id": new_id(),
            "game_id": 200,
            "currency_code": "EUR",
            "amount": Decimal("5000.00"),
        },
        timestamp=captured_at,
        request_hash=captured_hash,
    )

    assert answer.http_status == 200
    assert answer.error_code == "OP_20"
    assert "outside the accepted window" in answer.data["error_message"]
    other_wallet.refresh_from_db()
    assert other_wallet.balance == Decimal("0.00")
    assert not Transaction.objects.exists()
    assert not LedgerEntry.objects.filter(wallet=other_wallet).exists()
    assert events("stale_request") == before + 1


def test_issue10_a_timestamp_of_2001_is_refused(api: WalletClient, session, wallet) -> None:
    answer = win(api, timestamp="2001-01-01 00:00:00")
    assert answer.error_code == "OP_20"
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("100.00")


def test_issue10_a_timestamp_too_far_in_the_future_is_refused(
    api: WalletClient, session, wallet
) -> None:
    before = events("future_request")
    answer = win(api, timestamp=stamp(-3600))
    assert answer.error_code == "OP_20"
    assert events("future_request") == before + 1
    assert not Transaction.objects.exists()


def test_issue10_a_little_clock_skew_is_served(api: WalletClient, session, wallet) -> None:
    assert win(api, timestamp=stamp(-60), amount="1.00").status == "OK"


@override_settings(WALLET_MAX_REQUEST_AGE=3600)
def test_issue10_a_platform_retry_inside_the_window_is_served_and_replays(
    api: WalletClient, session, wallet
) -> None:
    """Spec, Important notes 2 and 4: the PLATFORM retries an identical request, with the
    timestamp it first sent; inside the window it is served (once: the retry replays)."""
    sent = stamp(3000)
    data = {
        "token": None,
        "user_id": "611",
        "transaction_type": "WIN",
        "transaction_id": new_id(),
        "round_id": new_id(),
        "game_id": 200,
        "currency_code": "EUR",
        "amount": Decimal("2.50"),
    }
    first = api.call("changebalance", data, timestamp=sent)
    retry = api.call("changebalance", data, timestamp=sent)
    assert first.status == retry.status == "OK"
    assert retry.data["balance"] == Decimal("102.50")
    assert Transaction.objects.count() == 1


@override_settings(WALLET_MAX_REQUEST_AGE=3600)
def test_issue10_the_same_retry_after_the_window_moves_nothing(
    api: WalletClient, session, wallet
) -> None:
    assert win(api, timestamp=stamp(3700), amount="2.50").error_code == "OP_20"
    wallet.refresh_from_db()
    assert wallet.balance == Decimal("100.00")


def test_issue10_a_malformed_request_timestamp_is_refused_naming_it(
    api: WalletClient, session
) -> None:
    for bad in ("2020-11-31 10:00:00", "2026-12-01T10:00:00", "1606822496", " " + stamp(0)):
        answer = api.call("balance", {"token": session.token, "user_id": "611"}, timestamp=bad)
        assert answer.status == "ERROR", bad
        assert "request_timestamp" in answer.data["error_message"], bad


def test_issue10_a_refused_stale_request_is_logged_as_a_security_event(
    api: WalletClient, session, wallet, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="wallet.security"):
        win(api, timestamp=stamp(7 * 3600))
    [record] = [r for r in caplog.records if r.name == "wallet.security"]
    assert record.security_event == "stale_request"  # type: ignore[attr-defined]
    assert record.operator == "examplecasino"  # type: ignore[attr-defined]
    assert ApiErrorLog.objects.get().error_code == "OP_20"


def test_issue10_a_flood_of_stale_requests_is_counted_each_but_logged_once(
    api: WalletClient, session, wallet, caplog: pytest.LogCaptureFixture
) -> None:
    before = events("stale_request")
    with caplog.at_level(logging.WARNING, logger="wallet.security"):
        for _ in range(20):
            win(api, timestamp=stamp(7 * 3600))
    assert events("stale_request") == before + 20
    assert len([r for r in caplog.records if r.name == "wallet.security"]) == 1
