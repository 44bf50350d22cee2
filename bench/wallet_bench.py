"""Wallet benchmark: changebalance BETs against PostgreSQL, beside pgbench.

    python -m bench.wallet_bench [--seconds 20] [--connections 16]
        [--server casino-web|gunicorn|both] [--workers 2] [--threads 4]
    python -m bench.wallet_bench --preload 5000000 [--database NAME] [--reset] [--yes]

In one run, on the same PostgreSQL server:
1. pgbench's TPC-B-like transaction with the same number of client connections (baseline);
2. signed changebalance BETs from wrk (16 connections, a new transaction_id each, spread over
   players) against the project served by casino-web (Granian, as deployed), or gunicorn, or
   both (`--server`).
It prints our requests/s divided by pgbench's TPS, p50/p99 latency, the web server's CPU time
per BET (from /proc) and the error count. Target (issue 13): ratio >= 0.5, p99 <= 25 ms, no
errors. Not a test: figures, not asserts.
With `--preload N` (the scale mode, `bench.scale`): no pgbench; BETs on an empty database, then
N transactions of history written by bulk SQL (`bench.preload`), BETs again, and the times of
check_ledger, reconcile of the busiest day and the staff pages on the full database.
Needs: PostgreSQL on 127.0.0.1:5432 (user postgres), `wrk` and `pgbench` (apt-get install wrk).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

from bench import scale
from bench.servers import SERVERS, server_start
from simulator.wallet_protocol import Credentials, changebalance_data, sign_request

ROOT = Path(__file__).resolve().parent.parent
PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}
BENCH_DB = "casino_bench"
SCALE_DB = "casino_bench_scale"
PGBENCH_DB = "casino_pgbench"
OPERATOR_ID = "bench-casino"
SECRET = "bench-secret-key"
T_TX = "platform_wallet_transaction"
# Stand-ins in the signed body for what changebalance.lua fills in per request.
ID_MARK = 987654321987654321


def sh(*args: str, env: dict[str, str] | None = None, check: bool = True) -> str:
    result = subprocess.run(args, env=env, check=False, capture_output=True, text=True, cwd=ROOT)
    if check and result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout + result.stderr


def psql(sql: str, db: str = "postgres") -> str:
    return sh("psql", "-h", PG["host"], "-U", PG["user"], "-d", db, "-Atc", sql)


def ensure_db(name: str) -> None:
    if psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'").strip() != "1":
        psql(f'CREATE DATABASE "{name}"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pgbench(seconds: int, clients: int) -> float:
    ensure_db(PGBENCH_DB)
    # scale = clients, so that clients do not all queue on the same branch row
    sh("pgbench", "-h", PG["host"], "-U", PG["user"], "-i", "-q", "-s", str(clients), PGBENCH_DB)
    out = sh(
        "pgbench",
        "-h",
        PG["host"],
        "-U",
        PG["user"],
        "-c",
        str(clients),
        "-j",
        "2",
        "-T",
        str(seconds),
        PGBENCH_DB,
    )
    match = re.search(r"tps = ([0-9.]+) \((without|excluding)", out) or re.search(
        r"tps = ([0-9.]+)", out
    )
    if not match:
        sys.exit(f"could not read pgbench's tps:\n{out}")
    return float(match.group(1))


def prepare_wallet(env: dict[str, str], players: int) -> list[tuple[str, str]]:
    """The operator, its players and a game session each, made with the operator tools (four
    at a time: each is a `manage.py` process)."""
    sh(sys.executable, "manage.py", "migrate", "-v", "0", env=env)
    # production settings: the operator needs its IP allow-list (wrk calls from 127.0.0.1)
    sh(
        sys.executable,
        "manage.py",
        "create_operator",
        OPERATOR_ID,
        "--secret-key",
        SECRET,
        "--allowed-ips",
        "127.0.0.1",
        # never called by the benchmark (reconcile reads the stored business report), but
        # the reporting commands want an operator that has one
        "--api-host",
        "https://platform.invalid",
        env=env,
    )
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(lambda n: prepare_player(env, f"bench{n}"), range(players)))


def prepare_player(env: dict[str, str], user_id: str) -> tuple[str, str]:
    sh(
        sys.executable,
        "manage.py",
        "create_player",
        "--operator",
        OPERATOR_ID,
        "--user-id",
        user_id,
        "--user-name",
        user_id,
        "--country",
        "DE",
        "--currency",
        "EUR",
        "--balance",
        "1000000.00",
        env=env,
    )
    out = sh(
        sys.executable,
        "manage.py",
        "issue_token",
        "--operator",
        OPERATOR_ID,
        "--user-id",
        user_id,
        "--game-id",
        "200",
        "--currency",
        "EUR",
        env=env,
    )
    return user_id, out.strip().splitlines()[-1]


def run_wrk(url: str, env: dict[str, str], seconds: int, connections: int) -> dict[str, int]:
    out = sh(
        "wrk",
        "-t",
        "2",
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        "5s",
        "-s",
        str(ROOT / "bench" / "changebalance.lua"),
        url,
        env=env,
    )
    match = re.search(r"BENCH (.*)", out)
    if not match:
        sys.exit(f"could not read wrk's summary:\n{out}")
    return {k: int(v) for k, v in (item.split("=") for item in match.group(1).split())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--server",
        choices=(*SERVERS, "both"),
        default="casino-web",
        help="the web server (default: casino-web, as deployed; both: each in the same run)",
    )
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--players", type=int, default=64)
    parser.add_argument(
        "--preload", type=int, metavar="N", help="scale mode: N transactions of history first"
    )
    parser.add_argument(
        "--database", help=f"the database (default {BENCH_DB}; with --preload {SCALE_DB})"
    )
    parser.add_argument(
        "--reset", action="store_true", help="--preload: drop and recreate a non-empty database"
    )
    parser.add_argument(
        "--yes", action="store_true", help="--preload: use a database the benchmark did not create"
    )
    args = parser.parse_args()
    for tool in ("wrk", "pgbench", "psql"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is needed (apt-get install wrk postgresql-client)")

    db = args.database or (SCALE_DB if args.preload else BENCH_DB)
    if args.preload:
        scale.guard_database(psql, db, reset=args.reset, yes=args.yes)
    else:
        ensure_db(db)
    conninfo = f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{db}"
    env = {
        **os.environ,
        "DATABASE_URL": conninfo,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LOG_LEVEL": "WARNING",
        "DB_POOL_MAX_SIZE": str(args.threads),
    }
    print(f"preparing {args.players} players ...", flush=True)
    if args.preload:
        # the same BETs on an empty companion database, alternating with the full one
        empty_db = f"{db}_empty"
        scale.guard_database(psql, empty_db, reset=True, yes=args.yes)
        empty_url = f"postgres://{PG['user']}@{PG['host']}:{PG['port']}/{empty_db}"
        targets = {"full": (db, conninfo, env), "empty": (empty_db, empty_url, {**env})}
        targets["empty"][2]["DATABASE_URL"] = empty_url
        players = {}
        for name, (_, url, target_env) in targets.items():
            prepare_wallet(target_env, 0)
            players[name] = scale.bench_players(url, operator_id=OPERATOR_ID, count=args.players)

        def measure_bets(name: str) -> dict[str, float]:
            target_db, _, target_env = targets[name]
            return measure_wallet(
                "casino-web", target_env, players[name], args, first_free_id(target_db)
            )

        scale.measure_history(
            env,
            db=db,
            conninfo=conninfo,
            args=args,
            operator_id=OPERATOR_ID,
            measure_bets=measure_bets,
            psql=psql,
        )
        return
    pairs = prepare_wallet(env, args.players)
    first_id = first_free_id(db)
    kinds = SERVERS if args.server == "both" else (args.server,)
    results: dict[str, dict[str, float]] = {}
    for run, kind in enumerate(kinds):
        print(
            f"wallet on {kind} ({args.workers} workers x {args.threads} threads): "
            f"{args.seconds}s of changebalance BETs, {args.connections} connections ...",
            flush=True,
        )
        # transaction ids: wrk thread n sends base + n * 10**8 + 1, + 2, ...; every run and its
        # warm-up (at + 10**7) have their own ranges, so no BET is a retry of another
        results[kind] = measure_wallet(kind, env, pairs, args, first_id + run * 2 * 10**7)
    print(f"pgbench: {args.seconds}s TPC-B-like, {args.connections} clients ...", flush=True)
    tps = pgbench(args.seconds, args.connections)
    print()
    print(f"pgbench TPC-B-like        {tps:10.0f} tps")
    for kind, result in results.items():
        rps = result["requests"] / (result["duration_us"] / 1e6)
        errors = int(result["errors"] + result["socket_errors"])
        p50, p99 = result["p50_us"] / 1000, result["p99_us"] / 1000
        cpu_ms = result["cpu_seconds"] * 1000 / max(result["requests"], 1)
        print(f"-- {kind}")
        print(f"changebalance BET         {rps:10.0f} requests/s  ({result['requests']:.0f})")
        print(f"ratio wallet/pgbench      {rps / tps:10.3f}   (target >= 0.5)")
        print(f"latency p50 / p99         {p50:6.1f} / {p99:.1f} ms   (target p99 <= 25 ms)")
        print(f"web CPU per BET           {cpu_ms:10.2f} ms")
        print(f"errors                    {errors:10d}   (target 0)")
    sh(sys.executable, "manage.py", "check_ledger", env=env)  # exits when it fails
    print("ledger check              every balance equals the sum of its entries")


def first_free_id(db: str) -> int:
    """Above every transaction id of earlier runs (the bench database is kept between runs)."""
    last = psql(f"SELECT coalesce(max(transaction_id), 0) FROM {T_TX}", db).strip()
    return (int(last) // 10**9 + 1) * 10**9


def signed_bet_template() -> tuple[str, str]:
    """The X-Authorization header and the body of a signed changebalance BET, signed now (the
    wallet refuses stale request timestamps), by the simulator's side of the protocol; in the
    body {id}, {user_id} and {token} stand for what the wrk script fills in per request."""
    request = sign_request(
        Credentials(OPERATOR_ID, SECRET),
        "changebalance",
        changebalance_data(
            token="{token}",  # noqa: S106 - a placeholder, filled in by the wrk script
            user_id="{user_id}",
            transaction_type="BET",
            transaction_id=ID_MARK,
            round_id=ID_MARK,
            round_finished=True,
            game_id=200,
            currency_code="EUR",
            amount=Decimal("0.10"),
            reason="SPIN",
            history_id="h{id}",
        ),
    )
    return request.authorization, request.body.decode().replace(str(ID_MARK), "{id}")


def measure_wallet(
    kind: str,
    env: dict[str, str],
    pairs: list[tuple[str, str]],
    args: argparse.Namespace,
    id_base: int,
) -> dict[str, float]:
    """Start the server, warm it up for 3 s, then run wrk for the measured seconds; the
    server's CPU time over the measured run (from /proc) comes with wrk's figures."""
    server = server_start(kind, env, free_port(), args.workers, args.threads)
    authorization, body = signed_bet_template()
    try:
        wrk_env = {
            **os.environ,
            "BENCH_OPERATOR": OPERATOR_ID,
            "BENCH_AUTH": authorization,
            "BENCH_BODY": body,
            "BENCH_TOKENS": ",".join(f"{u}:{t}" for u, t in pairs),
            "BENCH_ID_BASE": str(id_base),
        }
        url = f"http://127.0.0.1:{server.port}/api/wallet/changebalance"
        run_wrk(url, {**wrk_env, "BENCH_ID_BASE": str(id_base + 10**7)}, 3, args.connections)
        cpu_before = server.cpu_seconds()
        result: dict[str, float] = dict(run_wrk(url, wrk_env, args.seconds, args.connections))
        result["cpu_seconds"] = server.cpu_seconds() - cpu_before
        return result
    finally:
        server.stop()


if __name__ == "__main__":
    main()
