# ruff: noqa: F811 - pytest fixtures imported from tests.admin_fixtures
"""Issue 13, "Flat at scale": staff pages that never COUNT or scan the big tables, and
statement timeouts that fit each context (the wallet's short one stays on the wallet's calls)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import OperationalError, connection
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backoffice.paging import CappedCountPaginator
from casino_project.db_context import process_context
from operators.models import Operator
from ops.middleware import StaffStatementTimeoutMiddleware
from platform_wallet.models import Player, Round, Transaction, Wallet
from platform_wallet.selectors import rounds_with_totals
from tests.admin_fixtures import super_client, superuser  # noqa: F401 - fixtures
from tests.factories import PlayerFactory, wallet_for

TX_LIST = reverse("admin:platform_wallet_transaction_changelist")


def _tx(player: Player, wallet: Wallet, n: int, at: dt.datetime, **fields: object) -> Transaction:
    values: dict[str, object] = {
        "operator": player.operator,
        "transaction_id": n,
        "transaction_type": "BET",
        "status": "OK",
        "player": player,
        "wallet": wallet,
        "round_id": n,
        "currency": "EUR",
        "amount": Decimal("1.00"),
        "created_at": at,
    }
    values.update(fields)
    return Transaction.objects.create(**values)


def _result_ids(client: Client, url: str, params: dict[str, str]) -> set[int]:
    response = client.get(url, params)
    assert response.status_code == 200, params
    return {tx.transaction_id for tx in response.context["cl"].result_list}


# --- Statement timeouts per context ------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "context"),
    [
        (["manage.py", "reconcile", "--operator", "x"], "job"),
        (["manage.py", "check_ledger"], "job"),
        (["/srv/venv/bin/celery", "-A", "casino_project", "worker"], "job"),
        (["manage.py", "runserver"], "web"),
        (["manage.py", "demo"], "web"),
        (["/srv/venv/bin/casino-web"], "web"),
        (["/srv/venv/bin/granian", "--interface", "wsgi"], "web"),
        (["pytest"], "web"),
        ([], "web"),
    ],
)
def test_issue13_jobs_and_commands_start_with_the_job_statement_timeout(
    argv: list[str], context: str
) -> None:
    assert process_context(argv) == context


def _timeout_now() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('statement_timeout')")
        return str(cursor.fetchone()[0])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(STAFF_STATEMENT_TIMEOUT_MS=45_000)
def test_issue13_staff_pages_run_with_the_staff_timeout_then_the_wallets_again() -> None:
    wallet_default = _timeout_now()
    assert wallet_default != "45s"
    seen: dict[str, str] = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen[request.path] = _timeout_now()
        return HttpResponse("ok")

    middleware = StaffStatementTimeoutMiddleware(view)
    middleware(RequestFactory().get("/admin/platform_wallet/transaction/"))
    middleware(RequestFactory().get("/"))
    assert seen == {"/admin/platform_wallet/transaction/": "45s", "/": wallet_default}
    # the connection (pooled: the next wallet call may draw it) is back to its own timeout
    assert _timeout_now() == wallet_default


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(STAFF_STATEMENT_TIMEOUT_MS=5_000)
def test_issue13_a_staff_query_longer_than_the_wallets_timeout_finishes() -> None:
    def slow_view(request: HttpRequest) -> HttpResponse:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(0.3)")
        return HttpResponse("ok")

    # the connection's timeout as short as a wallet's (100 ms): the page's 0.3 s query runs
    # only because the middleware gives the request the staff timeout
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', '100', false)")
    try:
        with pytest.raises(OperationalError), connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(0.3)")  # what a staff page met before
        response = StaffStatementTimeoutMiddleware(slow_view)(RequestFactory().get("/admin/"))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")
    assert response.status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(STAFF_STATEMENT_TIMEOUT_MS=45_000, JOB_STATEMENT_TIMEOUT_MS=600_000)
def test_issue13_a_job_run_now_from_a_staff_page_gets_the_job_timeout(
    operator: Operator, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backoffice import jobs

    wallet_default = _timeout_now()
    seen: list[str] = []
    monkeypatch.setattr(jobs, "_run_one", lambda job, operator, date: seen.append(_timeout_now()))

    def run_now_view(request: HttpRequest) -> HttpResponse:
        jobs.job_run(job=jobs.Job.RECONCILE, operators=[operator])
        seen.append(_timeout_now())  # the rest of the page: the staff timeout again
        return HttpResponse("ok")

    StaffStatementTimeoutMiddleware(run_now_view)(RequestFactory().get("/admin/jobs/"))
    assert seen == ["10min", "45s"]
    assert _timeout_now() == wallet_default


# --- Pages without COUNT, date ranges, indexed searches ----------------------------------------


def test_issue13_capped_count_reads_at_most_cap_rows_past_the_page(operator: Operator) -> None:
    for n in range(12):
        PlayerFactory(operator=operator, user_id=f"u{n:02d}", user_name=f"u{n}")
    rows = Player.objects.order_by("user_id")
    first = CappedCountPaginator(rows, 2, page=1, cap=5)
    with CaptureQueriesContext(connection) as queries:
        assert first.count == 6  # the cap and one more: "there is a next page"
    assert len(queries) == 1 and "LIMIT" in queries[0]["sql"].upper()
    assert first.capped and first.num_pages == 3
    deeper = CappedCountPaginator(rows, 2, page=5, cap=5)
    assert deeper.count == 12 and not deeper.capped  # 4 rows from the page's start on
    assert [p.user_id for p in deeper.page(5).object_list] == ["u08", "u09"]
    assert CappedCountPaginator(rows, 2, page="x", cap=100).count == 12


@pytest.fixture
def history(operator: Operator) -> dict[str, Transaction]:
    player = PlayerFactory(operator=operator, user_id="4242", user_name="searched")
    other = PlayerFactory(operator=operator, user_id="777", user_name="other")
    wallet, other_wallet = wallet_for(player), wallet_for(other)
    day = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    return {
        "before": _tx(player, wallet, 1001, day - dt.timedelta(microseconds=1)),
        "first": _tx(player, wallet, 1002, day),
        "last": _tx(player, wallet, 1003, day + dt.timedelta(days=1, microseconds=-1)),
        "after": _tx(other, other_wallet, 1004, day + dt.timedelta(days=1)),
        "other": _tx(other, other_wallet, 4242, day, round_id=55),
    }


def test_issue13_date_filter_is_a_created_at_range_never_a_cast_to_date(
    super_client: Client, history: dict[str, Transaction]
) -> None:
    with CaptureQueriesContext(connection) as queries:
        found = _result_ids(
            super_client,
            TX_LIST,
            {"created_at__date__gte": "2026-11-20", "created_at__date__lte": "2026-11-20"},
        )
    assert found == {1002, 1003, 4242}
    listing = [q["sql"] for q in queries if "platform_wallet_transaction" in q["sql"]]
    assert listing
    for sql in listing:
        assert "::date" not in sql and "AT TIME ZONE" not in sql
        assert "django_datetime_cast_date" not in sql  # SQLite's cast
    assert _result_ids(super_client, TX_LIST, {"created_at__date__gte": "2026-11-21"}) == {1004}
    assert _result_ids(super_client, TX_LIST, {"created_at__date__lte": "2026-11-19"}) == {1001}


def test_issue13_search_by_user_id_is_by_the_players_key(
    super_client: Client, history: dict[str, Transaction]
) -> None:
    player = Player.objects.get(user_id="4242")
    with CaptureQueriesContext(connection) as queries:
        found = _result_ids(super_client, TX_LIST, {"q": "4242"})
    # the player's transactions, and the one whose transaction id is 4242
    assert found == {1001, 1002, 1003, 4242}
    listing = [q["sql"] for q in queries if 'FROM "platform_wallet_transaction"' in q["sql"]]
    assert any(f'"player_id" IN ({player.pk})' in sql for sql in listing)
    assert not any("UPPER(" in sql or "LIKE" in sql for sql in listing)
    assert _result_ids(super_client, TX_LIST, {"user": "4242"}) == {1001, 1002, 1003}
    assert _result_ids(super_client, TX_LIST, {"q": "777"}) == {1004, 4242}


def test_issue13_a_capped_count_says_so(
    super_client: Client, history: dict[str, Transaction], monkeypatch: pytest.MonkeyPatch
) -> None:
    from backoffice.paging import LargeTableAdminMixin

    monkeypatch.setattr(LargeTableAdminMixin, "count_cap", 2)
    response = super_client.get(TX_LIST)
    assert response.status_code == 200
    assert "2+ transactions" in " ".join(response.content.decode().split())
    assert len(response.context["cl"].result_list) == 5  # the page itself is whole
    monkeypatch.setattr(LargeTableAdminMixin, "count_cap", 10)
    assert "5 transactions" in " ".join(super_client.get(TX_LIST).content.decode().split())


def test_issue13_no_count_of_the_whole_table_on_a_page_load(
    super_client: Client, history: dict[str, Transaction]
) -> None:
    with CaptureQueriesContext(connection) as queries:
        assert _result_ids(super_client, TX_LIST, {}) == {1001, 1002, 1003, 1004, 4242}
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT" in sql.upper() for sql in counts), counts
    distinct = [q["sql"] for q in queries if "DISTINCT" in q["sql"].upper()]
    assert not any("platform_wallet_transaction" in sql for sql in distinct), distinct
    # the facet counts ("Show counts") would COUNT the table per filter option: never offered
    with CaptureQueriesContext(connection) as queries:
        assert super_client.get(TX_LIST, {"_facets": "True"}).status_code == 200
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert all("LIMIT" in sql.upper() for sql in counts), counts


def test_issue13_round_totals_per_round_by_subquery(operator: Operator) -> None:
    player = PlayerFactory.create(operator=operator, user_id="r1")
    wallet = wallet_for(player)
    now = dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    game_round = Round.objects.create(operator=operator, round_id=9, player=player, game_id=1)
    empty = Round.objects.create(operator=operator, round_id=10, player=player, game_id=1)
    for n, (kind, amount, status) in enumerate(
        [
            ("BET", "3.00", "OK"),
            ("BET", "2.00", "CANCELED"),
            ("WIN", "4.50", "OK"),
            ("REFUND", "1.00", "OK"),
            ("BET", "7.00", "ERROR"),
        ]
    ):
        _tx(
            player,
            wallet,
            500 + n,
            now,
            transaction_type=kind,
            amount=Decimal(amount),
            status=status,
            round_id=9,
            game_round=game_round,
        )
    totals = {r.round_id: (r.bet_total, r.win_total) for r in rounds_with_totals()}  # type: ignore[attr-defined]
    assert totals == {9: (Decimal("3.00"), Decimal("5.50")), 10: (Decimal("0"), Decimal("0"))}
    assert empty.pk


# --- check_ledger in one pass -----------------------------------------------------------------


def test_issue13_ledger_check_in_one_pass_finds_every_kind_of_mismatch(operator: Operator) -> None:
    from platform_wallet.models import LedgerEntry
    from platform_wallet.selectors import ledger_mismatches

    good = wallet_for(PlayerFactory(operator=operator, user_id="good"), balance="10.00")
    off = wallet_for(PlayerFactory(operator=operator, user_id="off"), balance="10.00")
    bare = wallet_for(PlayerFactory(operator=operator, user_id="bare"), balance="0.00")
    assert ledger_mismatches() == []
    Wallet.objects.filter(pk=off.pk).update(balance=Decimal("10.01"))
    Wallet.objects.filter(pk=bare.pk).update(balance=Decimal("5.00"))  # no entry at all
    LedgerEntry.objects.create(
        wallet=good, kind="ADJUSTMENT", amount=Decimal("0"), balance_after=Decimal("10.00")
    )
    with CaptureQueriesContext(connection) as queries:
        found = {(m.label, m.balance, m.entries_sum) for m in ledger_mismatches()}
    assert found == {
        ("off EUR", Decimal("10.01"), Decimal("10.00")),
        ("bare EUR", Decimal("5.00"), Decimal("0.00")),
    }
    # one statement reads the ledger, whatever the number of wallets
    assert len([q for q in queries if "platform_wallet_ledgerentry" in q["sql"]]) == 1


# --- The replica router without a replica (with one: tests/test_issue13_replica.py) -----------


@pytest.mark.django_db
def test_issue13_without_a_replica_replica_reads_use_the_primary() -> None:
    from django.db import connections

    from platform_wallet.connections import REPLICA, replica_reads
    from reporting.models import BusinessReportRow

    routers = ["casino_project.db_router.ReplicaRouter"]
    with override_settings(DATABASE_ROUTERS=routers), replica_reads():
        assert REPLICA not in connections.settings
        assert BusinessReportRow.objects.all().db == "default"


# --- The benchmark's preload: books consistent -------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_issue13_preload_writes_consistent_books_that_check_and_reconcile(
    operator: Operator,
) -> None:
    from bench import preload, scale
    from platform_wallet.models import ApiErrorLog, LedgerEntry
    from platform_wallet.selectors import ledger_mismatches
    from reporting.services.reconciliation import reconciliation_run

    db = connection.settings_dict
    conninfo = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    plan = preload.preload(conninfo, operator_id=operator.operator_id, transactions=2000, log=str)
    scale.bench_players(conninfo, operator_id=operator.operator_id, count=3)

    assert Transaction.objects.count() == 2000 and Round.objects.count() == 1000
    assert Player.objects.count() == 100 + 3
    statuses = set(Transaction.objects.values_list("status", flat=True))
    assert statuses == {"OK", "ERROR", "CANCELED"}
    assert Transaction.objects.filter(canceled_before_arrival=True).exists()
    assert ApiErrorLog.objects.count() == Transaction.objects.filter(status="ERROR").count()
    assert LedgerEntry.objects.filter(kind="CANCEL").exists()
    assert ledger_mismatches() == []
    # every entry's balance_after is its wallet's running total
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT balance_after, sum(amount) OVER (PARTITION BY "
            "wallet_id ORDER BY created_at, id) AS running FROM platform_wallet_ledgerentry) e "
            "WHERE balance_after <> running"
        )
        assert cursor.fetchone()[0] == 0
    reconciliation = reconciliation_run(operator=operator, date=plan.busy_day)
    assert reconciliation.line_count > 0 and reconciliation.mismatch_count == 0
