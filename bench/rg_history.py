"""Responsible-gambling limits at scale: the cost of a BET of a limited player with a month of
history against one without (issue 13: "a player with limits and 20,000 BETs this month pays no
more per BET than one without history").

    python -m bench.rg_history [--history 20000] [--bets 500]

In its own PostgreSQL database (casino_bench_rg, made afresh): two players with the same
monthly wager and loss limits; one gets `--history` applied BETs spread over this month
(written in bulk, with their ledger entries, so that `check_ledger` passes). Then `--bets`
signed BETs each, alternating, through the deployed WSGI application in this process (no HTTP
server: the figure is the wallet's own work). Prints p50/p95 wall time and CPU per BET for
both, and what summing the month's transactions (what every limited BET did before running
totals) costs once. Not a test: figures, not asserts.
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DB = "casino_bench_rg"
OPERATOR_ID = "bench-rg"
SECRET = "bench-rg-secret-key"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--history", type=int, default=20_000, help="BETs of the busy player")
    parser.add_argument("--bets", type=int, default=500, help="measured BETs per player")
    args = parser.parse_args()
    if args.history < 0 or args.bets < 10:
        parser.error("--history must be >= 0 and --bets >= 10")
    _setup_django()
    players = _prepare(history=args.history)
    results = _measure(players, bets=args.bets)
    for label, (walls, cpus) in results.items():
        print(
            f"{label:<34} p50 {_ms(statistics.median(walls))} ms, p95 {_ms(_p95(walls))} ms,"
            f" CPU {_ms(statistics.mean(cpus))} ms per BET"
        )
    quiet, busy = (statistics.median(w) for w, _ in results.values())
    print(f"busy / quiet (p50): {busy / quiet:.2f}")
    print(f"summing the month's transactions once (before running totals): {_old_way()} ms")
    from django.core.management import call_command

    call_command("check_ledger")


def _setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "casino_project.settings"
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
    os.environ.setdefault("DJANGO_DEBUG", "false")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-" + "k" * 50)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost")
    os.environ.setdefault("LOG_LEVEL", "WARNING")  # the call log is not what is measured
    sys.path.insert(0, str(ROOT))
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {DB}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _prepare(*, history: int) -> dict[str, tuple[str, str]]:
    """The operator and two limited players with tokens: {label: (user_id, token)}."""
    from django.core.management import call_command

    from platform_wallet.models import GameSession, Player, ResponsibleGamblingLimits

    call_command(
        "create_operator", OPERATOR_ID, "--secret-key", SECRET, "--allowed-ips", "127.0.0.1"
    )
    players = {}
    for label, user_id in (("limited, no history", "quiet"), ("limited, history", "busy")):
        call_command(
            "create_player",
            *("--operator", OPERATOR_ID, "--user-id", user_id, "--user-name", user_id),
            *("--country", "DE", "--currency", "EUR", "--balance", "10000000.00"),
            stdout=io.StringIO(),
        )
        call_command(
            "issue_token",
            *("--operator", OPERATOR_ID, "--user-id", user_id, "--game-id", "200"),
            *("--currency", "EUR"),
            stdout=io.StringIO(),
        )
        player = Player.objects.get(operator__operator_id=OPERATOR_ID, user_id=user_id)
        ResponsibleGamblingLimits.objects.create(
            player=player,
            monthly_wager_limit=Decimal("9000000.00"),
            monthly_loss_limit=Decimal("9000000.00"),
            daily_wager_limit=Decimal("9000000.00"),
        )
        token = GameSession.objects.filter(player=player).values_list("token", flat=True).get()
        players[label] = (user_id, token)
    _history(user_id="busy", count=history)
    return players


def _history(*, user_id: str, count: int) -> None:
    """`count` applied BETs of 0.10 this month, with their ledger entries and the balance."""
    from django.db import transaction
    from django.utils import timezone

    from platform_wallet.models import LedgerEntry, Transaction, Wallet

    wallet = Wallet.objects.select_related("player").get(player__user_id=user_id)
    now = timezone.now()
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    step = (now - month_start) / max(count, 1)
    amount = Decimal("0.10")
    balance = wallet.balance
    with transaction.atomic():
        for first in range(0, count, 5000):
            batch = range(first, min(first + 5000, count))
            rows = Transaction.objects.bulk_create(
                Transaction(
                    operator_id=wallet.player.operator_id,
                    transaction_id=10**12 + n,
                    transaction_type="BET",
                    status="OK",
                    player_id=wallet.player_id,
                    wallet_id=wallet.pk,
                    round_id=10**12 + n,
                    game_id=200,
                    currency="EUR",
                    amount=amount,
                    created_at=month_start + step * n,
                )
                for n in batch
            )
            entries = []
            for row in rows:
                balance -= amount
                entries.append(
                    LedgerEntry(
                        wallet_id=wallet.pk,
                        kind="BET",
                        amount=-amount,
                        balance_after=balance,
                        transaction_id=row.pk,
                        created_at=row.created_at,
                    )
                )
            LedgerEntry.objects.bulk_create(entries)
        Wallet.objects.filter(pk=wallet.pk).update(balance=balance)


def _measure(
    players: dict[str, tuple[str, str]], *, bets: int
) -> dict[str, tuple[list[float], list[float]]]:
    from casino_project.wsgi import application
    from simulator.wallet_protocol import Credentials, changebalance_data, sign_request

    credentials = Credentials(operator_id=OPERATOR_ID, secret_key=SECRET)
    ids = itertools.count(int(time.time() * 1000))
    status: dict[str, str] = {}

    def start_response(line: str, headers: Any, exc_info: Any = None) -> None:
        status["line"] = line

    def bet(user_id: str, token: str) -> tuple[float, float]:
        data = changebalance_data(
            token=token,
            user_id=user_id,
            transaction_type="BET",
            transaction_id=next(ids),
            round_id=next(ids),
            round_finished=True,
            game_id=200,
            currency_code="EUR",
            amount=Decimal("0.10"),
            reason="not_provided",
            history_id="bench",
        )
        request = sign_request(credentials, "changebalance", data)
        body = request.body
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/api/wallet/changebalance",
            "SERVER_NAME": "localhost",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "localhost",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "HTTP_X_OPERATOR_ID": request.operator_id,
            "HTTP_X_AUTHORIZATION": request.authorization,
        }
        wall, cpu = time.perf_counter(), time.process_time()
        answer = b"".join(application(environ, start_response))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        if not status["line"].startswith("200") or b'"OK"' not in answer:
            sys.exit(f"BET of {user_id} failed: {status['line']} {answer[:200]!r}")
        return wall, cpu

    for user_id, token in players.values():  # the first BET starts the running totals
        bet(user_id, token)
    results: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in players}
    for _ in range(bets):
        for label, (user_id, token) in players.items():
            wall, cpu = bet(user_id, token)
            results[label][0].append(wall)
            results[label][1].append(cpu)
    return results


def _old_way() -> str:
    from django.utils import timezone

    from platform_wallet.models import Transaction
    from platform_wallet.selectors import applied_total

    month_start = timezone.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    started = time.perf_counter()
    applied_total(Transaction.objects.filter(player__user_id="busy", created_at__gte=month_start))
    return _ms(time.perf_counter() - started)


def _p95(values: list[float]) -> float:
    return sorted(values)[int(len(values) * 0.95)]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


if __name__ == "__main__":
    main()
