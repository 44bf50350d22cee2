"""A changebalance on PostgreSQL as one statement of data-modifying CTEs, composed from the
ledger's statements (`sql`), each drawing its keys from parameters or from an earlier CTE:

- `one_statement`: the write, after the read (`sql.LOOKUP`) and the rules decided;
- `lookup_and_write`: the read and, when it leaves the rules nothing to decide, the write, in
  one round trip (the usual call).

Both are run by `write.py` with `sql.fetch_one` (prepared, autocommit: one transaction).
"""

from __future__ import annotations

import functools

from platform_wallet.ledger import sql
from platform_wallet.models import TransactionType

# --- The write, after the rules decided --------------------------------------------


@functools.cache
def one_statement(*, round_step: str | None, touch: bool) -> str:
    """A whole changebalance as one statement, run in autocommit: one round trip, and one
    transaction (a failure anywhere undoes every part).

    `round_step` is ROUND_UPSERT, ROUND_FINISH or None (a known round, nothing to change).

    Lock order: the main query reads w first (the wallet's row lock), then t, whose VALUES read
    w, then r (the round's lock), and whose INSERT takes the transaction's key last. A
    concurrent call with the same transaction_id makes that INSERT wait for its commit, then
    fail on the unique key: after our wallet moved, but the statement fails as a whole, the
    wallet's update included, and the caller replays the other call's outcome.
    """
    ctes = [f"w AS ({sql.WALLET_MOVE})"]
    if round_step is not None:
        ctes.append(f"r AS ({round_step})")
    game_round = "%(round_pk)s" if round_step is None else "(SELECT round_pk FROM r)"
    ctes += _record_ctes(record=_recorded(game_round=game_round))
    if touch:
        ctes.append(f"s AS ({sql.session_touch(condition=f' AND {_MOVED}')})")
    answer = (
        "SELECT (SELECT balance FROM w) AS wallet_balance,"
        " (SELECT transaction_pk FROM t) AS transaction_pk"
    )
    return "WITH " + ",\n".join(ctes) + "\n" + answer


_MOVED = "EXISTS (SELECT 1 FROM w)"


def _recorded(**slots: str) -> str:
    """The transaction's INSERT in the single statement: its outcome is the wallet's: it moved
    (OK), or the refusal is recorded (`refusal_code`: the refusal decided from the lookup,
    else OP_31, insufficient funds)."""
    return sql.tx_insert(
        status=f"CASE WHEN {_MOVED} THEN '{sql.OK}' ELSE '{sql.ERROR}' END",
        error_code=f"CASE WHEN {_MOVED} THEN '' ELSE %(refusal_code)s END",
        **slots,
    )


def _record_ctes(*, record: str) -> list[str]:
    """t (the transaction), e (the entry, only when the money moved: w has its row) and d
    (the running totals)."""
    entry = sql.entry_insert(
        wallet="w.id",
        balance_after="w.balance",
        transaction="t.transaction_pk",
        source=" FROM w, t",
    )
    return [f"t AS ({record})", f"e AS ({entry})", f"d AS ({sql.DAY_TOTAL_ADD})"]


# --- changebalance on PostgreSQL: the read and the write in one round trip ------------------

# sql.LOOKUP's row leaves the rules nothing to decide (`changebalance`: nothing to replay, nothing
# to refuse before the money moves): no transaction under this id, an open account, a wallet
# in the currency; for a BET also not blocked, the token's session of this player and wallet,
# live (as `models.session_is_live`, `live_after` = now - WALLET_SESSION_IDLE_SECONDS), a game
# not disabled, and no responsible-gambling limits (those are checked under the wallet's lock
# by the portable path). A row that fails it is decided by the rules, as before.
_NOTHING_TO_DECIDE = f"""
    tx_status IS NULL AND NOT is_closed AND wallet_pk IS NOT NULL
    AND (%(transaction_type)s <> '{TransactionType.BET.value}' OR (
        NOT is_blocked AND session_player_pk = player_pk AND session_wallet_pk = wallet_pk
        AND session_ended_at IS NULL AND session_last_activity > %(live_after)s
        AND (NOT game_known OR game_available) AND NOT has_limits))"""


@functools.cache
def lookup_and_write() -> str:
    """The usual changebalance in one round trip: sql.LOOKUP (l), and when its row leaves the rules
    nothing to decide (ok), the single statement's write with the keys l found. Its one row:
    `applied` (the write ran) and `moved_balance` (the new balance; NULL: the wallet did not
    cover the BET, recorded as OP_31), and when not applied sql.LOOKUP's columns (`player_pk`
    NULL: no such player).

    The same statements as `one_statement`, each drawing its row from ok, so that nothing is
    written when ok is empty: the round is always upserted (a known one is finished when the
    call says so, as ROUND_FINISH would), and the session touched when its last activity is
    before `touch_before` (NULL: never). The same locks in the same order (sql.LOOKUP reads
    without locking)."""
    ok = "(SELECT {0} FROM ok)"
    ctes = [
        f"l AS ({sql.LOOKUP})",
        f"ok AS (SELECT player_pk, wallet_pk, session_pk FROM l WHERE {_NOTHING_TO_DECIDE})",
        "w AS ({})".format(sql.WALLET_MOVE.replace("%(wallet_pk)s", ok.format("wallet_pk"))),
        f"r AS ({sql.round_upsert(player='ok.player_pk', source=' FROM ok')})",
    ]
    ctes += _record_ctes(
        record=_recorded(
            game_round="(SELECT round_pk FROM r)",
            player="ok.player_pk",
            wallet="ok.wallet_pk",
            source=" FROM ok",
        )
    )
    touch = sql.session_touch(
        condition=f" AND last_activity_at <= %(touch_before)s AND {_MOVED}",
        session=ok.format("session_pk"),
    )
    ctes.append(f"s AS ({touch})")
    # sql.LOOKUP's columns only when they are needed (not applied): reading them costs more
    # than the rest of the row
    answer = (
        "SELECT a.applied, a.moved_balance, l.* FROM"
        " (SELECT EXISTS (SELECT 1 FROM ok) AS applied,"
        " (SELECT balance FROM w) AS moved_balance) a"
        " LEFT JOIN l ON NOT a.applied"
    )
    return "WITH " + ",\n".join(ctes) + "\n" + answer
