"""The benchmark's scale mode (`wallet_bench --preload N`): the same BETs on an empty database
and on one holding N transactions of history, then what an operator waits for on it.

1. The database (`--database`, default casino_bench_scale) must be the benchmark's own: one it
   created (marked by a comment on the database), or any with `--yes`. A non-empty one is
   refused unless `--reset`, which drops and recreates it. Its empty companion
   (`<database>_empty`, the benchmark's own too) is recreated on every run.
2. The bench operator and players in both (bulk SQL, as `create_player` and `issue_token`
   write them).
3. `bench.preload` writes the history; then BETs on the full and the empty database,
   alternating (full, empty, full, empty: a shared machine's load weighs on both alike).
4. The time of `check_ledger`, of `reconcile` of the busiest day, and of the staff pages
   (`bench.staff_pages`), and the database's size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psycopg

from bench import preload

ROOT = Path(__file__).resolve().parent.parent
MARK = "created by bench.wallet_bench --preload; may be dropped by it (--reset)"


def guard_database(psql: Any, name: str, *, reset: bool, yes: bool) -> None:
    """Create the database (marked as ours), or make sure an existing one may be used."""
    exists = psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip() == "1"
    if exists:
        comment = psql(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            f"WHERE datname = '{name}'"
        ).strip()
        if comment != MARK and not yes:
            sys.exit(
                f"database {name} exists and was not created by the benchmark: refusing to "
                "fill it (pass --yes if it may be used, or choose another --database)"
            )
        has_rows = psql(
            "SELECT CASE WHEN to_regclass('platform_wallet_transaction') IS NULL THEN 0 "
            "ELSE (SELECT count(*) FROM (SELECT 1 FROM platform_wallet_transaction LIMIT 1) t) "
            "END",
            name,
        ).strip()
        if has_rows != "0":
            if not reset:
                sys.exit(
                    f"database {name} already holds transactions: pass --reset to drop and "
                    "recreate it"
                )
            print(f"dropping database {name} (--reset) ...", flush=True)
            psql(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = False
    if not exists:
        psql(f'CREATE DATABASE "{name}"')
        psql(f"COMMENT ON DATABASE \"{name}\" IS '{MARK}'")


def timed(args: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    started = time.monotonic()
    result = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    return time.monotonic() - started, result.returncode, result.stdout + result.stderr


def measure_history(
    env: dict[str, str],
    *,
    db: str,
    conninfo: str,
    args: argparse.Namespace,
    operator_id: str,
    measure_bets: Any,
    psql: Any,
) -> None:
    """Steps 2-4 of the module's docstring (the database is guarded and migrated).
    `measure_bets("full" | "empty")` runs the BETs on the bench database or on its empty
    companion; they alternate, twice each, so that the load of a shared machine weighs on both
    alike."""
    started = time.monotonic()
    plan = preload.preload(conninfo, operator_id=operator_id, transactions=args.preload)
    loaded_s = time.monotonic() - started
    size = psql(f"SELECT pg_size_pretty(pg_database_size('{db}'))").strip()
    print(f"preloaded in {loaded_s:.0f} s; database {db}: {size}", flush=True)
    runs: list[tuple[str, dict[str, float]]] = []
    for name in ("full", "empty", "full", "empty"):
        print(f"BETs on the {name} database ...", flush=True)
        runs.append((name, measure_bets(name)))

    job_env = {**env}
    ledger_s, ledger_rc, ledger_out = timed([sys.executable, "manage.py", "check_ledger"], job_env)
    reconcile_s, reconcile_rc, reconcile_out = timed(
        [
            sys.executable,
            "manage.py",
            "reconcile",
            "--operator",
            operator_id,
            "--date",
            plan.busy_day.isoformat(),
        ],
        job_env,
    )
    busy = psql(
        "SELECT count(*) FROM platform_wallet_transaction "
        f"WHERE transaction_timestamp LIKE '{plan.busy_day.isoformat()}%'",
        db,
    ).strip()
    print("staff pages (median of 3 after a warm-up) ...", flush=True)
    _, pages_rc, pages_out = timed(
        [sys.executable, "-m", "bench.staff_pages", "--date", plan.busy_day.isoformat()],
        {**env, "ALLOWED_HOSTS": "localhost,testserver"},
    )

    def rate(result: dict[str, float]) -> float:
        return result["requests"] / (result["duration_us"] / 1e6)

    print()
    print(f"database                  {size} ({args.preload:,} transactions preloaded)")
    rates: dict[str, list[float]] = {"full": [], "empty": []}
    for label, result in runs:
        rates[label].append(rate(result))
        print(
            f"BET on the {label:<5} database {rate(result):8.0f} requests/s  p50 "
            f"{result['p50_us'] / 1000:.1f} ms  p99 {result['p99_us'] / 1000:.1f} ms  errors "
            f"{int(result['errors'] + result['socket_errors'])}"
        )
    full, empty = (sum(rates[k]) / len(rates[k]) for k in ("full", "empty"))
    print(f"full / empty (means)      {full / empty:10.3f}   (target >= 0.9)")
    print(
        f"check_ledger              {ledger_s:10.1f} s   "
        + ("clean" if ledger_rc == 0 else "FAILED:\n" + ledger_out[-2000:])
    )
    print(
        f"reconcile {plan.busy_day}      {reconcile_s:10.1f} s   ({busy} transactions that day; "
        + ("no mismatch)" if reconcile_rc == 0 else "FAILED)\n" + reconcile_out[-2000:])
    )
    print("staff pages:")
    print(pages_out.rstrip())
    if ledger_rc or reconcile_rc or pages_rc:
        sys.exit(1)


def bench_players(
    conninfo: str, *, operator_id: str, count: int, game_id: int = 200
) -> list[tuple[str, str]]:
    """The players the BETs are sent for (bench0, bench1, ...), written as `create_player` and
    `issue_token` write them, in one statement each instead of two processes a player: an EUR
    wallet opened with 1,000,000.00 by an OPENING ledger entry (existing players keep theirs)
    and a new live game session each. Returns (user_id, token) pairs."""
    now = dt.datetime.now(dt.UTC)
    users = [f"bench{n}" for n in range(count)]
    tokens = [secrets.token_hex(20) for _ in users]
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        cur.execute(
            f"SELECT id FROM {preload.TABLES['operator']} WHERE operator_id = %s", [operator_id]
        )
        op = cur.fetchone()[0]  # type: ignore[index]
        cur.execute(
            f"""
            INSERT INTO {preload.TABLES["player"]} (operator_id, user_id, user_name, display_name,
                country, "group", language, is_blocked, blocked_reason, is_closed, created_at)
            SELECT %(op)s, u, u, '', 'DE', '', '', false, '', false, %(now)s
              FROM unnest(%(users)s::text[]) u
            ON CONFLICT (operator_id, user_id) DO NOTHING""",
            {"op": op, "users": users, "now": now},
        )
        cur.execute(
            f"""
            WITH new AS (
                INSERT INTO {preload.TABLES["wallet"]} (player_id, currency, balance, created_at,
                                                updated_at)
                SELECT p.id, 'EUR', 1000000.00, %(now)s, %(now)s
                  FROM {preload.TABLES["player"]} p
                 WHERE p.operator_id = %(op)s AND p.user_id = ANY(%(users)s)
                ON CONFLICT (player_id, currency) DO NOTHING
                RETURNING id, balance)
            INSERT INTO {preload.TABLES["entry"]} (wallet_id, kind, amount, balance_after, reason,
                                          created_at)
            SELECT id, 'OPENING', balance, balance, 'Opening balance', %(now)s FROM new""",
            {"op": op, "users": users, "now": now},
        )
        cur.execute(
            f"""
            INSERT INTO {preload.TABLES["session"]} (token, operator_id, player_id, wallet_id,
                game_id, lobby_id, created_at, last_activity_at, ended_at, end_reason)
            SELECT t.token, %(op)s, p.id, w.id, %(game)s, '', %(now)s, %(now)s, NULL, ''
              FROM unnest(%(users)s::text[], %(tokens)s::text[]) AS t(user_id, token)
              JOIN {preload.TABLES["player"]} p ON p.operator_id = %(op)s AND p.user_id = t.user_id
              JOIN {preload.TABLES["wallet"]} w ON w.player_id = p.id AND w.currency = 'EUR'""",
            {"op": op, "users": users, "tokens": tokens, "now": now, "game": game_id},
        )
    return list(zip(users, tokens, strict=True))
