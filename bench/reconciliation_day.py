"""How long reconciling one day takes at volume (issue 14): bulk-insert a day of transactions
(and its neighbours, which the created_at range also reads) into a PostgreSQL database, then
time `ledger_daily_totals` and `reconciliation_run` for that day.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casino_bench DB_STATEMENT_TIMEOUT_MS=600000 \\
        .venv/bin/python -m bench.reconciliation_day --per-day 1000000 --days-around 1

It migrates the database and adds its own operator ("bench-recon"), players, games and
transactions (inserted by the database itself, generate_series: no row crosses the network);
run it on a scratch database, never on one that matters. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casino_project.settings")
os.environ.setdefault("DJANGO_DEBUG", "true")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from catalog.models import Game  # noqa: E402
from operators.models import Operator  # noqa: E402
from platform_wallet.models import Player, Transaction, Wallet  # noqa: E402
from reporting.models import BusinessReport  # noqa: E402
from reporting.selectors import ledger_daily_totals  # noqa: E402
from reporting.services.reconciliation import reconciliation_run  # noqa: E402

OPERATOR_ID = "bench-recon"
GAMES, VENDORS, PLAYERS = 300, 12, 2000

FILL = f"""
INSERT INTO {Transaction._meta.db_table} (
    operator_id, transaction_id, transaction_type, status, error_code, player_id, wallet_id,
    round_id, game_round_id, game_id, currency, amount, rake, token, reason, history_id, context,
    is_freespin, campaign_code, is_jackpot, transaction_timestamp, canceled_before_arrival,
    created_at, canceled_at)
SELECT %(operator_pk)s, %(first_id)s + g, t.kind, CASE WHEN g %% 50 = 0 THEN 'ERROR' ELSE 'OK' END,
       CASE WHEN g %% 50 = 0 THEN 'OP_31' ELSE '' END, p.player_id, p.wallet_id,
       %(first_id)s + g / 2, NULL, 1 + g %% {GAMES}, 'EUR', (g %% 1000) / 100.0, NULL, '',
       CASE WHEN t.freespin THEN 'PROMO-FREESPIN' WHEN t.jackpot THEN 'JACKPOT-WIN'
            ELSE 'SPIN' END,
       '', '{{}}'::jsonb, t.freespin, CASE WHEN t.freespin THEN 'CAMP-' || g %% 7 ELSE '' END,
       t.jackpot, to_char(t.at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), false, t.at, NULL
  FROM generate_series(1, %(count)s) AS g
 CROSS JOIN LATERAL (
       SELECT CASE WHEN g %% 2 = 0 THEN 'BET' ELSE 'WIN' END AS kind,
              g %% 2 = 1 AND g %% 20 = 1 AS freespin,
              g %% 2 = 1 AND g %% 997 = 3 AS jackpot,
              %(start)s::timestamptz + (g * 86400.0 / %(count)s) * interval '1 second' AS at
       ) t
  JOIN (SELECT row_number() OVER (ORDER BY p.id) - 1 AS n, p.id AS player_id, w.id AS wallet_id
          FROM {Player._meta.db_table} p JOIN {Wallet._meta.db_table} w ON w.player_id = p.id
         WHERE p.operator_id = %(operator_pk)s) p ON p.n = g %% {PLAYERS}
"""


def prepare(day: dt.date, per_day: int, days_around: int) -> Operator:
    call_command("migrate", verbosity=0)
    operator, created = Operator.objects.get_or_create(
        operator_id=OPERATOR_ID, defaults={"secret_key": "bench-recon-secret"}
    )
    if not created:
        print("(the operator exists: its transactions are reused)")
        return operator
    Game.objects.bulk_create(
        Game(operator=operator, game_id=n, title=f"Game {n}", vendor=f"vendor{n % VENDORS}")
        for n in range(1, GAMES + 1)
    )
    players = Player.objects.bulk_create(
        Player(operator=operator, user_id=f"bench-{n}", user_name=f"bench-{n}", country="DE")
        for n in range(PLAYERS)
    )
    Wallet.objects.bulk_create(Wallet(player=p, currency="EUR") for p in players)
    for offset in range(-days_around, days_around + 1):
        start = dt.datetime.combine(day + dt.timedelta(days=offset), dt.time.min, tzinfo=dt.UTC)
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                FILL,
                {
                    "operator_pk": operator.pk,
                    "first_id": (offset + days_around + 1) * 10**9,
                    "count": per_day,
                    "start": start,
                },
            )
            cursor.execute(f"ANALYZE {Transaction._meta.db_table}")
        took = time.perf_counter() - began
        print(f"inserted {per_day} transactions on {start.date()} in {took:.1f} s")
    BusinessReport.objects.get_or_create(operator=operator, date=day)
    return operator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-day", type=int, default=1_000_000)
    parser.add_argument("--days-around", type=int, default=1)
    parser.add_argument("--date", type=dt.date.fromisoformat, default=dt.date(2026, 6, 15))
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("PostgreSQL only: set DATABASE_URL")
    operator = prepare(args.date, args.per_day, args.days_around)
    for attempt in (1, 2):  # the second run with a warm cache
        began = time.perf_counter()
        totals = ledger_daily_totals(operator=operator, date=args.date)
        took = time.perf_counter() - began
        counted = sum(t.bets_count + t.wins_count for t in totals.values())
        print(f"ledger_daily_totals #{attempt}: {took:.2f} s ({counted} applied transactions)")
        began = time.perf_counter()
        run = reconciliation_run(operator=operator, date=args.date)
        took = time.perf_counter() - began
        print(f"reconciliation_run #{attempt}: {took:.2f} s ({run.line_count} lines)")


if __name__ == "__main__":
    main()
