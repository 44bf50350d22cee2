"""A year-like history for the scale benchmark (`wallet_bench --preload N`), written by bulk SQL.

What it writes for the bench operator, in one database transaction:
- `players` players (100k for 5M transactions: N / 50, at least 100), an EUR wallet each
  opened with an OPENING ledger entry, an expired game session each, 1 % blocked;
- a synced catalog: 320 games of 8 vendors (game ids 100-419, the bench's game 200 among them,
  enabled) and 7 lobbies;
- N transactions in N / 2 rounds over the 90 days before now, 20 % of them on one day (the
  busiest day, two days ago: reconciliation of a day of a million transactions at 5M); each
  round a BET and a WIN (40 % of them pay, RTP about 88 %), or a BET and a REFUND (about
  1 in 200), or a refused BET and its refused retry (OP_31, about 1 in 100: an API error log
  row each, no ledger entry), or a canceled BET (a BET and a CANCEL entry) followed by a
  cancel of a transaction that never arrived (a `canceled_before_arrival` tombstone);
- a ledger entry for every transaction that moved money with its running `balance_after`,
  and every wallet's balance = its opening + its entries (`check_ledger` passes);
- the PLATFORM's business report of the busiest day, equal to our ledger of that day (so
  `reconcile` of it finds no mismatch).

Every row is computed from generate_series: ids are assigned here (above what the tables
hold) and the identity sequences moved past them, so nothing is joined while loading. While
loading, the big tables' secondary indexes are dropped and rebuilt after (much faster than
maintaining them row by row), and foreign-key triggers are off (`session_replication_role =
replica`, superuser only): the rows are consistent by construction, and `check_ledger`
proves the money. The tables are vacuumed and analyzed at the end, as a database in service
would be.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

import psycopg

TABLES = {
    "operator": "platform_wallet_operator",
    "player": "platform_wallet_player",
    "wallet": "platform_wallet_wallet",
    "session": "platform_wallet_gamesession",
    "round": "platform_wallet_round",
    "tx": "platform_wallet_transaction",
    "entry": "platform_wallet_ledgerentry",
    "apierror": "platform_wallet_apierrorlog",
    "game": "catalog_game",
    "lobby": "catalog_lobby",
    "report": "reporting_businessreport",
    "report_row": "reporting_businessreportrow",
}
# Loaded with their secondary indexes dropped, rebuilt after.
BIG_TABLES = ("round", "tx", "entry", "apierror")
VENDORS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel")
GAMES = 320
FIRST_GAME_ID = 100
OPENING = "1000.00"
DAYS = 90
BUSY_SHARE = 0.2


@dataclass(frozen=True)
class Plan:
    """Sizes, id offsets and the time line of a preload."""

    transactions: int
    players: int
    operator_pk: int
    start: dt.datetime  # first round
    busy_day: dt.date
    end: dt.datetime  # last round
    offsets: dict[str, int]
    first_tx_id: int  # PLATFORM transaction ids (and round ids) start above it

    @property
    def rounds(self) -> int:
        return (self.transactions + 1) // 2

    def params(self) -> dict[str, Any]:
        busy_start = dt.datetime.combine(self.busy_day, dt.time(), dt.UTC)
        busy_end = busy_start + dt.timedelta(days=1)
        quiet = self.rounds - int(self.rounds * BUSY_SHARE)
        window = (self.end - self.start) - dt.timedelta(days=1)
        before = round(quiet * ((busy_start - self.start) / window))
        busy = self.rounds - quiet
        return {
            "op": self.operator_pk,
            "busy_day": self.busy_day,
            "busy_like": f"{self.busy_day.isoformat()}%",
            "n_tx": self.transactions,
            "n_rounds": self.rounds,
            "n_players": self.players,
            "start": self.start,
            "busy_start": busy_start,
            "busy_end": busy_end,
            "end": self.end,
            # rounds 1..before: start..busy_start; then `busy` rounds in the busy day; the
            # rest: busy_end..end (a piecewise linear, increasing time line)
            "r_before": max(before, 1),
            "r_busy": max(busy, 1),
            "r_after": max(self.rounds - before - busy, 1),
            "opening": OPENING,
            "games": GAMES,
            "first_game": FIRST_GAME_ID,
            "tx0": self.first_tx_id,
            **{f"{name}0": value for name, value in self.offsets.items()},
        }


def players_for(transactions: int) -> int:
    return max(100, transactions // 50)


def plan(conn: psycopg.Connection[Any], *, operator_id: str, transactions: int) -> Plan:
    with conn.cursor() as cur:
        cur.execute(f"SELECT id FROM {TABLES['operator']} WHERE operator_id = %s", [operator_id])
        row = cur.fetchone()
        if row is None:
            raise SystemExit(f"no operator {operator_id}: create it first")
        offsets = {}
        for name in ("player", "wallet", "session", "round", "tx", "entry", "apierror", "game"):
            cur.execute(f"SELECT coalesce(max(id), 0) FROM {TABLES[name]}")
            offsets[name] = int(cur.fetchone()[0])  # type: ignore[index]
        cur.execute(f"SELECT coalesce(max(transaction_id), 0) FROM {TABLES['tx']}")
        first_tx_id = int(cur.fetchone()[0])  # type: ignore[index]
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    end = now - dt.timedelta(hours=1)
    return Plan(
        transactions=transactions,
        players=players_for(transactions),
        operator_pk=int(row[0]),
        start=end - dt.timedelta(days=DAYS),
        busy_day=now.date() - dt.timedelta(days=2),
        end=end,
        offsets=offsets,
        first_tx_id=first_tx_id,
    )


# The time of round r (1-based), on the piecewise linear time line of `Plan.params`.
ROUND_TIME = """
    CASE WHEN {r} <= %(r_before)s
         THEN %(start)s::timestamptz
              + (%(busy_start)s::timestamptz - %(start)s::timestamptz)
                * (({r} - 1)::float8 / %(r_before)s)
         WHEN {r} <= %(r_before)s + %(r_busy)s
         THEN %(busy_start)s::timestamptz
              + interval '1 day' * (({r} - %(r_before)s - 1)::float8 / %(r_busy)s)
         ELSE %(busy_end)s::timestamptz
              + (%(end)s::timestamptz - %(busy_end)s::timestamptz)
                * (({r} - %(r_before)s - %(r_busy)s - 1)::float8 / %(r_after)s)
    END"""

# Round r's player number (1..n_players), spread by a multiplicative hash.
PLAYER_OF = "(1 + ({r}::bigint * 2654435761) %% %(n_players)s)"
GAME_OF = "(%(first_game)s + ({r}::bigint * 7919) %% %(games)s)"
# the round's fate: refused (both BETs OP_31), canceled (BET canceled, then a tombstone),
# refund (BET, REFUND), else played (BET, WIN)
FATE = """CASE WHEN {r} %% 97 = 5 THEN 'refused' WHEN {r} %% 101 = 7 THEN 'canceled'
               WHEN {r} %% 211 = 3 THEN 'refund' ELSE 'played' END"""
BET_AMOUNT = "((10 + ({r}::bigint * 37) %% 491) / 100.0)::numeric(18,2)"
WIN_AMOUNT = f"(CASE WHEN {{r}} %% 10 < 4 THEN round({BET_AMOUNT} * 2.2, 2) ELSE 0 END)"


def _f(template: str, r: str) -> str:
    return template.replace("{r}", r)


STEPS: list[tuple[str, str]] = [
    (
        "catalog",
        f"""
        INSERT INTO {TABLES["game"]} (id, operator_id, game_id, title, vendor, game_type,
            platform, enabled, listed, disabled_by_operator, fun_mode, campaigns,
            platform_created_at, details, first_seen_at, synced_at)
        SELECT %(game0)s + g, %(op)s, %(first_game)s + g - 1, 'Game ' || (%(first_game)s + g - 1),
               (ARRAY{list(VENDORS)})[1 + g %% {len(VENDORS)}],
               CASE WHEN g %% 4 = 0 THEN 'live' ELSE 'slots' END, 'desktop,mobile',
               true, true, false, g %% 3 = 0, g %% 5 = 0, date '2024-01-01' + g, '{{}}',
               %(start)s, %(end)s
          FROM generate_series(1, %(games)s) g
        ON CONFLICT (operator_id, game_id) DO NOTHING;
        INSERT INTO {TABLES["lobby"]} (operator_id, lobby_id, vendor, details, listed,
            disabled_by_operator, first_seen_at, synced_at)
        SELECT %(op)s, 'lobby-' || l, (ARRAY{list(VENDORS)})[l], '{{}}', true, false,
               %(start)s, %(end)s
          FROM generate_series(1, 7) l
        ON CONFLICT (operator_id, lobby_id) DO NOTHING""",
    ),
    (
        "players, wallets, sessions",
        f"""
        INSERT INTO {TABLES["player"]} (id, operator_id, user_id, user_name, display_name,
            country, "group", language, is_blocked, blocked_reason, is_closed, created_at)
        SELECT %(player0)s + n, %(op)s, 'p' || lpad(n::text, 7, '0'), 'player ' || n, '',
               (ARRAY['DE','AT','FI','SE','NO','EE','IE','MT'])[1 + n %% 8], '', 'en',
               n %% 100 = 42, CASE WHEN n %% 100 = 42 THEN 'bench: blocked' ELSE '' END,
               false, %(start)s - interval '1 day'
          FROM generate_series(1, %(n_players)s) n;
        INSERT INTO {TABLES["wallet"]} (id, player_id, currency, balance, created_at, updated_at)
        SELECT %(wallet0)s + n, %(player0)s + n, 'EUR', 0, %(start)s - interval '1 day', %(end)s
          FROM generate_series(1, %(n_players)s) n;
        INSERT INTO {TABLES["session"]} (id, token, operator_id, player_id, wallet_id, game_id,
            lobby_id, created_at, last_activity_at, ended_at, end_reason)
        SELECT %(session0)s + n, md5('bench-session-' || (%(session0)s + n)) || 'bnch0000',
               %(op)s, %(player0)s + n, %(wallet0)s + n, %(first_game)s, '',
               %(start)s, %(end)s, NULL, ''
          FROM generate_series(1, %(n_players)s) n""",
    ),
    (
        "rounds",
        f"""
        INSERT INTO {TABLES["round"]} (id, operator_id, round_id, player_id, game_id,
            created_at, finished_at)
        SELECT %(round0)s + r, %(op)s, %(tx0)s + r, %(player0)s + {_f(PLAYER_OF, "r")},
               {_f(GAME_OF, "r")}, t, t + interval '2 seconds'
          FROM generate_series(1, %(n_rounds)s) r, LATERAL (SELECT {_f(ROUND_TIME, "r")} AS t) x""",
    ),
    (
        "transactions",
        f"""
        INSERT INTO {TABLES["tx"]} (id, operator_id, transaction_id, transaction_type, status,
            error_code, player_id, wallet_id, round_id, game_round_id, game_id, currency,
            amount, rake, token, reason, history_id, context, transaction_timestamp,
            canceled_before_arrival, created_at, canceled_at)
        SELECT %(tx0)s + i, %(op)s, %(tx0)s + i,
               CASE WHEN is_first OR fate = 'refused' THEN 'BET'
                    WHEN fate = 'canceled' THEN NULL
                    WHEN fate = 'refund' THEN 'REFUND' ELSE 'WIN' END,
               CASE WHEN fate = 'refused' THEN 'ERROR'
                    WHEN fate = 'canceled' THEN 'CANCELED' ELSE 'OK' END,
               CASE WHEN fate = 'refused' THEN 'OP_31' ELSE '' END,
               %(player0)s + p,
               CASE WHEN tomb THEN NULL ELSE %(wallet0)s + p END,
               %(tx0)s + r,
               CASE WHEN tomb THEN NULL ELSE %(round0)s + r END,
               {_f(GAME_OF, "r")},
               CASE WHEN tomb THEN '' ELSE 'EUR' END,
               CASE WHEN tomb THEN NULL
                    WHEN is_first OR fate IN ('refused', 'refund') THEN {_f(BET_AMOUNT, "r")}
                    ELSE {_f(WIN_AMOUNT, "r")} END,
               NULL,
               CASE WHEN tomb THEN '' ELSE left(tok, 4) || '…' || right(tok, 4) END,
               CASE WHEN tomb THEN '' ELSE 'SPIN' END,
               CASE WHEN tomb THEN '' ELSE 'h' || (%(tx0)s + i) END,
               CASE WHEN tomb THEN '{{}}'::jsonb
                    ELSE jsonb_build_object('reason', 'SPIN', 'history_id',
                                            'h' || (%(tx0)s + i)) END,
               CASE WHEN tomb THEN '' ELSE to_char(ts AT TIME ZONE 'UTC',
                                                   'YYYY-MM-DD HH24:MI:SS') END,
               tomb, ts,
               CASE WHEN tomb THEN ts WHEN fate = 'canceled' THEN t + interval '30 seconds' END
          FROM generate_series(1, %(n_tx)s) i,
               LATERAL (SELECT (i + 1) / 2 AS r, i %% 2 = 1 AS is_first) a,
               LATERAL (SELECT {_f(FATE, "r")} AS fate, {_f(PLAYER_OF, "r")} AS p,
                               {_f(ROUND_TIME, "r")} AS t) b,
               LATERAL (SELECT fate = 'canceled' AND NOT is_first AS tomb,
                               t + CASE WHEN is_first THEN interval '0' ELSE interval '2 seconds'
                                   END AS ts,
                               md5('bench-session-' || (%(session0)s + p)) || 'bnch0000' AS tok
                       ) c""",
    ),
    (
        "API error log",
        f"""
        INSERT INTO {TABLES["apierror"]} (id, operator_id, command, error_code, error_message,
            user_id, transaction_id, round_id, request_body, created_at)
        SELECT %(apierror0)s + row_number() OVER (ORDER BY t.id), %(op)s, 'changebalance',
               'OP_31', 'Insufficient funds', p.user_id, t.transaction_id, t.round_id,
               jsonb_build_object('command', 'changebalance', 'data',
                   jsonb_build_object('user_id', p.user_id, 'transaction_id', t.transaction_id,
                                      'transaction_type', 'BET', 'amount', t.amount,
                                      'currency_code', 'EUR', 'token', t.token))::text,
               t.created_at
          FROM {TABLES["tx"]} t JOIN {TABLES["player"]} p ON p.id = t.player_id
         WHERE t.id > %(tx0)s AND t.status = 'ERROR'""",
    ),
    (
        "ledger entries",
        f"""
        INSERT INTO {TABLES["entry"]} (id, wallet_id, kind, amount, balance_after,
            transaction_id, reason, created_by_id, approved_by_id, created_at)
        SELECT %(entry0)s + row_number() OVER (ORDER BY created_at, seq), wallet_id, kind,
               amount,
               sum(amount) OVER (PARTITION BY wallet_id ORDER BY created_at, seq),
               transaction_id, reason, NULL, NULL, created_at
          FROM (
            SELECT %(wallet0)s + n AS wallet_id, 'OPENING' AS kind,
                   %(opening)s::numeric(18,2) AS amount, NULL::bigint AS transaction_id,
                   'bench opening balance' AS reason, %(start)s - interval '1 day' AS created_at,
                   0::bigint AS seq
              FROM generate_series(1, %(n_players)s) n
            UNION ALL
            SELECT wallet_id, transaction_type,
                   CASE WHEN transaction_type = 'BET' THEN -amount ELSE amount END,
                   id, '', created_at, id
              FROM {TABLES["tx"]}
             WHERE id > %(tx0)s AND wallet_id IS NOT NULL AND status IN ('OK', 'CANCELED')
            UNION ALL
            SELECT wallet_id, 'CANCEL', amount, id, 'cancel of BET ' || transaction_id,
                   canceled_at, id
              FROM {TABLES["tx"]}
             WHERE id > %(tx0)s AND status = 'CANCELED' AND NOT canceled_before_arrival
          ) e""",
    ),
    (
        "balances",
        f"""
        UPDATE {TABLES["wallet"]} w SET balance = s.total
          FROM (SELECT wallet_id, sum(amount) AS total FROM {TABLES["entry"]}
                 WHERE id > %(entry0)s GROUP BY wallet_id) s
         WHERE w.id = s.wallet_id""",
    ),
]
# After the indexes are rebuilt and the tables analyzed (its plan needs their statistics).
REPORT_STEPS: list[tuple[str, str]] = [
    (
        "business report of the busiest day",
        f"""
        INSERT INTO {TABLES["report"]} (operator_id, date, fetched_at, fetch_count)
        VALUES (%(op)s, %(busy_day)s, %(end)s, 1)
        ON CONFLICT (operator_id, date) DO NOTHING;
        INSERT INTO {TABLES["report_row"]} (report_id, entity_name, vendor, currency, bets_sum,
            bets_count, wins_sum, wins_count, freespins_sum, freespins_count, jackpots_sum,
            jackpots_count, gross_gaming_revenue, raw)
        SELECT (SELECT id FROM {TABLES["report"]}
                 WHERE operator_id = %(op)s AND date = %(busy_day)s),
               'bench', g.vendor, t.currency,
               coalesce(sum(t.amount) FILTER (WHERE t.transaction_type = 'BET'), 0),
               count(*) FILTER (WHERE t.transaction_type = 'BET'),
               coalesce(sum(t.amount) FILTER (WHERE t.transaction_type <> 'BET'), 0),
               count(*) FILTER (WHERE t.transaction_type <> 'BET'),
               0, 0, 0, 0,
               coalesce(sum(CASE WHEN t.transaction_type = 'BET' THEN t.amount
                                 ELSE -t.amount END), 0),
               '{{}}'
          FROM {TABLES["tx"]} t
          JOIN {TABLES["game"]} g ON g.operator_id = t.operator_id AND g.game_id = t.game_id
         WHERE t.operator_id = %(op)s AND t.status = 'OK'
           AND t.created_at >= %(busy_start)s AND t.created_at < %(busy_end)s
           AND t.transaction_timestamp LIKE %(busy_like)s
         GROUP BY g.vendor, t.currency""",
    ),
]


def _secondary_indexes(cur: psycopg.Cursor[Any], table: str) -> tuple[list[str], list[str]]:
    """(DDL to drop, DDL to recreate) the table's unique constraints and secondary indexes,
    its primary key kept."""
    drop, create = [], []
    cur.execute(
        """SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
            WHERE conrelid = %s::regclass AND contype = 'u'""",
        [table],
    )
    constraints = cur.fetchall()
    for name, definition in constraints:
        drop.append(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        create.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    cur.execute(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.tablename = %s AND i.indexname NOT IN (
                  SELECT conname FROM pg_constraint
                   WHERE conrelid = %s::regclass AND contype IN ('p', 'u'))""",
        [table, table],
    )
    for name, definition in cur.fetchall():
        drop.append(f'DROP INDEX "{name}"')
        create.append(definition)
    return drop, create


def _run(
    cur: psycopg.Cursor[Any], steps: list[tuple[str, str]], params: dict[str, Any], log: Any
) -> None:
    for label, statement in steps:
        started = time.monotonic()
        rows = 0
        for part in statement.split(";\n"):
            cur.execute(part, params)
            rows += max(cur.rowcount, 0)
        log(f"  {label:<36} {rows:>12,} rows {time.monotonic() - started:7.1f} s")


def preload(conninfo: str, *, operator_id: str, transactions: int, log: Any = print) -> Plan:
    """Write the history (see the module's docstring) and return its plan. The caller has
    made sure the database is the bench's own."""
    with psycopg.connect(conninfo, autocommit=False) as conn:
        the_plan = plan(conn, operator_id=operator_id, transactions=transactions)
        params = the_plan.params()
        log(
            f"preloading {transactions:,} transactions, {the_plan.players:,} players, "
            f"{DAYS} days (busiest day {the_plan.busy_day}) ..."
        )
        with conn.cursor() as cur:
            cur.execute("SET LOCAL session_replication_role = replica")
            cur.execute("SET LOCAL synchronous_commit = off")
            cur.execute("SET LOCAL work_mem = '256MB'")
            cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cur.execute("SET LOCAL statement_timeout = 0")
            rebuild: list[str] = []
            for name in BIG_TABLES:
                drop, create = _secondary_indexes(cur, TABLES[name])
                for ddl in drop:
                    cur.execute(ddl)
                rebuild += create
            _run(cur, STEPS, params, log)
            started = time.monotonic()
            for ddl in rebuild:
                cur.execute(ddl)
            for name in BIG_TABLES:
                cur.execute(f"ANALYZE {TABLES[name]}")
            log(
                f"  {'indexes rebuilt, analyzed':<36} {len(rebuild):>12} "
                f"{time.monotonic() - started:7.1f} s"
            )
            _run(cur, REPORT_STEPS, params, log)
            for name in ("player", "wallet", "session", "round", "tx", "entry", "apierror", "game"):
                table = TABLES[name]
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )
        conn.commit()
    started = time.monotonic()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for name in TABLES.values():
            conn.execute(f"VACUUM (ANALYZE) {name}")
        # the load's dirty pages written now, not by the checkpointer during the measured BETs
        conn.execute("CHECKPOINT")
    log(f"  {'vacuum analyze, checkpoint':<36} {'':>12} {time.monotonic() - started:7.1f} s")
    return the_plan
