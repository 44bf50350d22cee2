"""The ledger: the ONLY code that moves money.

Every balance change is an append-only `LedgerEntry` written in the same database transaction
as the wallet's balance. The PLATFORM's transaction_id is the idempotency key, guarded by the
unique constraint on (operator, transaction_id): an identical retry replays the stored outcome,
the same id with other data is OP_40.

Locks are always taken in one order: wallet, then round, then the transaction's key. The
debit is a conditional `UPDATE ... WHERE balance >= amount RETURNING balance`, so concurrent
BETs never overdraw and no read-then-write race exists. The hot path is written in plain SQL
that PostgreSQL and SQLite both run (RETURNING, ON CONFLICT), a handful of statements a call.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from platform_wallet.errors import RECORDED_CODES, ErrorCode, WalletError
from platform_wallet.models import (
    EntryKind,
    GameSession,
    LedgerEntry,
    Player,
    ResponsibleGamblingLimits,
    Round,
    Transaction,
    TransactionStatus,
    TransactionType,
    Wallet,
)
from platform_wallet.services import limits
from platform_wallet.services.sessions import session_is_live

CENT = Decimal("0.01")

T_PLAYER = Player._meta.db_table
T_WALLET = Wallet._meta.db_table
T_SESSION = GameSession._meta.db_table
T_ROUND = Round._meta.db_table
T_TX = Transaction._meta.db_table
T_ENTRY = LedgerEntry._meta.db_table
T_LIMITS = ResponsibleGamblingLimits._meta.db_table


def _game_table() -> str:
    from catalog.models import Game

    return Game._meta.db_table


# --- Value helpers: the two databases return different Python types from raw SQL -----------


def to_money(value: Any) -> Decimal:
    """A balance read back from the database, as an exact 2-decimal Decimal."""
    if isinstance(value, Decimal):
        return value.quantize(CENT)
    return Decimal(str(value)).quantize(CENT)


def _db_money(value: Decimal) -> Any:
    return connection.ops.adapt_decimalfield_value(value, 18, 2)


def _db_time(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _from_db_time(value: Any) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):
        from django.utils.dateparse import parse_datetime

        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def _for_update() -> str:
    return " FOR UPDATE" if connection.features.has_select_for_update else ""


# --- Requests and outcomes ---------------------------------------------------------------


@dataclass(frozen=True)
class ChangeBalanceRequest:
    """A changebalance call, already validated field by field."""

    operator_pk: int
    user_id: str
    transaction_type: TransactionType
    transaction_id: int
    round_id: int
    round_finished: bool | None
    game_id: int
    currency: str
    amount: Decimal
    token: str
    transaction_timestamp: str
    context: dict[str, Any]
    reason: str = ""
    history_id: str = ""
    rake: Decimal | None = None


@dataclass(frozen=True)
class Balance:
    balance: Decimal
    currency: str


@dataclass(frozen=True)
class _Lookup:
    """Everything the checks of one changebalance need, read in a single query."""

    player_pk: int
    is_blocked: bool
    is_closed: bool
    wallet_pk: int | None
    wallet_balance: Decimal | None
    session_pk: int | None
    session_player_pk: int | None
    session_wallet_pk: int | None
    session_last_activity: dt.datetime | None
    session_ended_at: dt.datetime | None
    tx_type: str | None
    tx_status: str | None
    tx_error_code: str | None
    tx_player_pk: int | None
    tx_amount: Decimal | None
    tx_currency: str | None
    tx_game_id: int | None
    tx_round_id: int | None
    tx_canceled_before_arrival: bool
    round_pk: int | None
    round_finished_at: dt.datetime | None
    game_known: bool
    game_available: bool
    has_limits: bool

    @property
    def has_transaction(self) -> bool:
        return self.tx_status is not None


def _lookup(req: ChangeBalanceRequest) -> _Lookup | None:
    sql = f"""
        SELECT p.id, p.is_blocked, p.is_closed,
               w.id, w.balance,
               s.id, s.player_id, s.wallet_id, s.last_activity_at, s.ended_at,
               t.transaction_type, t.status, t.error_code, t.player_id, t.amount, t.currency,
               t.game_id, t.round_id, t.canceled_before_arrival,
               r.id, r.finished_at,
               g.id, g.enabled, g.listed, g.disabled_by_operator,
               l.id
          FROM {T_PLAYER} p
          LEFT JOIN {T_WALLET} w ON w.player_id = p.id AND w.currency = %s
          LEFT JOIN {T_SESSION} s ON s.token = %s AND s.operator_id = p.operator_id
          LEFT JOIN {T_TX} t ON t.operator_id = p.operator_id AND t.transaction_id = %s
          LEFT JOIN {T_ROUND} r ON r.operator_id = p.operator_id AND r.round_id = %s
          LEFT JOIN {_game_table()} g ON g.operator_id = p.operator_id AND g.game_id = %s
          LEFT JOIN {T_LIMITS} l ON l.player_id = p.id
         WHERE p.operator_id = %s AND p.user_id = %s
    """  # noqa: S608 - table names come from the models, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                req.currency,
                req.token or None,
                req.transaction_id,
                req.round_id,
                req.game_id,
                req.operator_pk,
                req.user_id,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return _Lookup(
        player_pk=row[0],
        is_blocked=bool(row[1]),
        is_closed=bool(row[2]),
        wallet_pk=row[3],
        wallet_balance=None if row[4] is None else to_money(row[4]),
        session_pk=row[5],
        session_player_pk=row[6],
        session_wallet_pk=row[7],
        session_last_activity=_from_db_time(row[8]),
        session_ended_at=_from_db_time(row[9]),
        tx_type=row[10],
        tx_status=row[11],
        tx_error_code=row[12],
        tx_player_pk=row[13],
        tx_amount=None if row[14] is None else to_money(row[14]),
        tx_currency=row[15],
        tx_game_id=row[16],
        tx_round_id=row[17],
        tx_canceled_before_arrival=bool(row[18]),
        round_pk=row[19],
        round_finished_at=_from_db_time(row[20]),
        game_known=row[21] is not None,
        game_available=bool(row[22]) and bool(row[23]) and not bool(row[24]),
        has_limits=row[25] is not None,
    )


# --- changebalance -------------------------------------------------------------------------


def change_balance(req: ChangeBalanceRequest) -> Balance:
    """Apply a BET, WIN or REFUND once, or replay the outcome of an identical earlier call.

    Raises WalletError with the spec's code; business errors about the transaction (OP_21,
    OP_30, OP_31, OP_32, OP_33, OP_35) are recorded with it first, so that retries get them too.
    """
    for _attempt in range(2):
        found = _lookup(req)
        if found is None:
            raise WalletError(ErrorCode.OP_34)
        if found.has_transaction:
            return _replay(req, found)
        if found.is_closed:
            raise WalletError(ErrorCode.OP_49, "Player account is closed")
        refusal = _refusal(req, found)
        try:
            new_balance, refusal = _apply(req, found, refusal)
        except IntegrityError:
            # The same transaction_id was committed by a concurrent call between our lookup and
            # our insert: the unique constraint decided, and everything we did was rolled back.
            continue
        if refusal is not None:
            raise refusal
        if new_balance is None:
            raise WalletError(ErrorCode.OP_31)
        return Balance(new_balance, req.currency)
    raise WalletError(ErrorCode.OP_50, "Transaction could not be recorded, retry")


def _refusal(req: ChangeBalanceRequest, found: _Lookup) -> WalletError | None:
    """The business error that refuses this transaction before any money moves, if any."""
    if found.wallet_pk is None:
        return WalletError(ErrorCode.OP_30, f"Player has no {req.currency} wallet")
    if req.transaction_type != TransactionType.BET:
        return None  # WIN and REFUND: money owed is credited, session or not, blocked or not.
    if (
        found.session_pk is None
        or found.session_player_pk != found.player_pk
        or found.session_last_activity is None
        or not session_is_live(
            ended_at=found.session_ended_at, last_activity_at=found.session_last_activity
        )
    ):
        return WalletError(ErrorCode.OP_21)
    if found.session_wallet_pk != found.wallet_pk:
        return WalletError(ErrorCode.OP_30, "Currency does not match the game session")
    if found.is_blocked:
        return WalletError(ErrorCode.OP_33)
    if found.game_known and not found.game_available:
        return WalletError(ErrorCode.OP_35)
    return None


def _replay(req: ChangeBalanceRequest, found: _Lookup) -> Balance:
    if found.tx_canceled_before_arrival:
        raise WalletError(
            ErrorCode.OP_49, "Transaction was canceled before it arrived; it is never applied"
        )
    same = (
        found.tx_type == req.transaction_type
        and found.tx_amount == req.amount
        and found.tx_currency == req.currency
        and found.tx_player_pk == found.player_pk
        and found.tx_game_id == req.game_id
        and found.tx_round_id == req.round_id
    )
    if not same:
        raise WalletError(ErrorCode.OP_40)
    if found.tx_status == TransactionStatus.ERROR:
        raise WalletError(ErrorCode(found.tx_error_code or ErrorCode.OP_50))
    if found.wallet_balance is None:  # pragma: no cover - an OK transaction has a wallet
        raise WalletError(ErrorCode.OP_30)
    return Balance(found.wallet_balance, req.currency)


def _apply(
    req: ChangeBalanceRequest, found: _Lookup, refusal: WalletError | None
) -> tuple[Decimal | None, WalletError | None]:
    """One database transaction: move the money (unless refused), track the round, record
    the transaction with its outcome, write the ledger entry. Returns the new balance (None
    when nothing moved) and the refusal recorded, if any."""
    now = timezone.now()
    db_now = _db_time(now)
    amount = _db_money(req.amount)
    is_bet = req.transaction_type == TransactionType.BET
    new_balance: Decimal | None = None
    with transaction.atomic(), connection.cursor() as cursor:
        if refusal is None and is_bet and found.has_limits:
            # Responsible-gambling limits are checked under the wallet's row lock, so that
            # concurrent BETs cannot pass a limit together.
            cursor.execute(
                f"SELECT id FROM {T_WALLET} WHERE id = %s{_for_update()}",  # noqa: S608
                [found.wallet_pk],
            )
            refusal = limits.bet_refusal(
                player_pk=found.player_pk, currency=req.currency, amount=req.amount
            )
        if refusal is None:
            if is_bet:
                cursor.execute(
                    f"UPDATE {T_WALLET} SET balance = balance - %s, updated_at = %s"  # noqa: S608
                    " WHERE id = %s AND (balance >= %s OR %s = 0) RETURNING balance",
                    [amount, db_now, found.wallet_pk, amount, amount],
                )
            else:
                cursor.execute(
                    f"UPDATE {T_WALLET} SET balance = balance + %s, updated_at = %s"  # noqa: S608
                    " WHERE id = %s RETURNING balance",
                    [amount, db_now, found.wallet_pk],
                )
            row = cursor.fetchone()
            new_balance = None if row is None else to_money(row[0])
        round_pk = _round_track(cursor, req, found, db_now)
        if refusal is not None:
            status, error_code = TransactionStatus.ERROR, refusal.code
        elif new_balance is None:
            status, error_code = TransactionStatus.ERROR, ErrorCode.OP_31
        else:
            status, error_code = TransactionStatus.OK, ""
        assert error_code == "" or error_code in RECORDED_CODES
        cursor.execute(
            f"""INSERT INTO {T_TX} (operator_id, transaction_id, transaction_type, status,
                    error_code, player_id, wallet_id, round_id, game_round_id, game_id, currency,
                    amount, rake, token, reason, history_id, context, transaction_timestamp,
                    canceled_before_arrival, created_at)
                VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s,
                    %s, %s)
                RETURNING id""",  # noqa: S608
            [
                req.operator_pk,
                req.transaction_id,
                str(req.transaction_type),
                str(status),
                str(error_code),
                found.player_pk,
                found.wallet_pk,
                req.round_id,
                round_pk,
                req.game_id,
                req.currency,
                amount,
                None if req.rake is None else connection.ops.adapt_decimalfield_value(req.rake, 18, 4),
                req.token[:50],
                req.reason[:32],
                req.history_id[:255],
                json.dumps(req.context, default=str),
                req.transaction_timestamp[:19],
                False,
                db_now,
            ],
        )
        tx_pk = cursor.fetchone()[0]
        if new_balance is not None:
            signed = -req.amount if is_bet else req.amount
            cursor.execute(
                f"INSERT INTO {T_ENTRY} (wallet_id, kind, amount, balance_after, transaction_id,"  # noqa: S608
                " reason, created_by_id, created_at) VALUES (%s, %s, %s, %s, %s, %s, NULL, %s)",
                [
                    found.wallet_pk,
                    str(req.transaction_type),
                    _db_money(signed),
                    _db_money(new_balance),
                    tx_pk,
                    "",
                    db_now,
                ],
            )
            if is_bet:
                _session_touch(cursor, found, now)
    return new_balance, refusal


def _round_track(cursor: Any, req: ChangeBalanceRequest, found: _Lookup, db_now: Any) -> int:
    """Create the round on its first call; mark it finished when a call says so."""
    finished = db_now if req.round_finished else None
    if found.round_pk is not None:
        if finished is not None and found.round_finished_at is None:
            cursor.execute(
                f"UPDATE {T_ROUND} SET finished_at = %s WHERE id = %s AND finished_at IS NULL",  # noqa: S608
                [finished, found.round_pk],
            )
        return found.round_pk
    cursor.execute(
        f"""INSERT INTO {T_ROUND} AS r (operator_id, round_id, player_id, game_id, created_at,
                finished_at)
            VALUES (%s, %s, %s, %s, %s, %s)
            ON CONFLICT (operator_id, round_id)
            DO UPDATE SET finished_at = COALESCE(r.finished_at, excluded.finished_at)
            RETURNING id""",  # noqa: S608
        [req.operator_pk, req.round_id, found.player_pk, req.game_id, db_now, finished],
    )
    return int(cursor.fetchone()[0])


def _session_touch(cursor: Any, found: _Lookup, now: dt.datetime) -> None:
    """Keep an active session alive, writing its activity at most once a minute."""
    from django.conf import settings

    last = found.session_last_activity
    if found.session_pk is None or last is None:
        return
    if (now - last).total_seconds() >= settings.WALLET_SESSION_TOUCH_SECONDS:
        cursor.execute(
            f"UPDATE {T_SESSION} SET last_activity_at = %s WHERE id = %s",  # noqa: S608
            [_db_time(now), found.session_pk],
        )


# --- cancel --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CancelRequest:
    operator_pk: int
    user_id: str
    transaction_id: int
    round_id: int
    round_finished: bool | None
    game_id: int


def cancel(req: CancelRequest) -> None:
    """Reverse a transaction: a BET's amount comes back, a WIN or REFUND is taken back (the
    wallet may go negative here, and only here). Repeats move nothing. An unknown transaction
    is OP_41 and is remembered, so that it is refused if it ever arrives."""
    player_pk = (
        Player.objects.filter(operator_id=req.operator_pk, user_id=req.user_id)
        .values_list("pk", flat=True)
        .first()
    )
    if player_pk is None:
        raise WalletError(ErrorCode.OP_34)
    now = timezone.now()
    db_now = _db_time(now)
    with transaction.atomic(), connection.cursor() as cursor:
        row = _cancel_target(cursor, req)
        if row is None:
            cursor.execute(
                f"""INSERT INTO {T_TX} (operator_id, transaction_id, transaction_type, status,
                        error_code, player_id, wallet_id, round_id, game_round_id, game_id,
                        currency, amount, rake, token, reason, history_id, context,
                        transaction_timestamp, canceled_before_arrival, created_at, canceled_at)
                    VALUES (%s, %s, NULL, %s, '', %s, NULL, %s, NULL, %s, '', NULL, NULL, '', '',
                        '', '{{}}', '', %s, %s, %s)
                    ON CONFLICT (operator_id, transaction_id) DO NOTHING""",  # noqa: S608
                [
                    req.operator_pk,
                    req.transaction_id,
                    str(TransactionStatus.CANCELED),
                    player_pk,
                    req.round_id,
                    req.game_id,
                    True,
                    db_now,
                    db_now,
                ],
            )
            if cursor.rowcount == 1:
                not_found: WalletError | None = WalletError(ErrorCode.OP_41)
            else:  # the transaction arrived concurrently: cancel it after all
                row = _cancel_target(cursor, req)
                not_found = None
        else:
            not_found = None
        if row is not None:
            not_found = _cancel_apply(cursor, req, row, player_pk, now)
        if req.round_finished:
            cursor.execute(
                f"UPDATE {T_ROUND} SET finished_at = %s WHERE operator_id = %s"  # noqa: S608
                " AND round_id = %s AND finished_at IS NULL",
                [db_now, req.operator_pk, req.round_id],
            )
    if not_found is not None:
        raise not_found


def _cancel_target(cursor: Any, req: CancelRequest) -> tuple[Any, ...] | None:
    cursor.execute(
        f"SELECT id, transaction_type, status, player_id, wallet_id, amount,"  # noqa: S608
        f" canceled_before_arrival FROM {T_TX}"
        f" WHERE operator_id = %s AND transaction_id = %s{_for_update()}",
        [req.operator_pk, req.transaction_id],
    )
    row = cursor.fetchone()
    return None if row is None else tuple(row)


def _cancel_apply(
    cursor: Any, req: CancelRequest, row: tuple[Any, ...], player_pk: int, now: dt.datetime
) -> WalletError | None:
    tx_pk, tx_type, status, tx_player_pk, wallet_pk, amount, before_arrival = row
    if tx_player_pk != player_pk or before_arrival:
        return WalletError(ErrorCode.OP_41)
    if status == TransactionStatus.CANCELED:
        return None
    db_now = _db_time(now)
    if status == TransactionStatus.OK:
        value = to_money(amount)
        delta = value if tx_type == TransactionType.BET else -value
        cursor.execute(
            f"UPDATE {T_WALLET} SET balance = balance + %s, updated_at = %s"  # noqa: S608
            " WHERE id = %s RETURNING balance",
            [_db_money(delta), db_now, wallet_pk],
        )
        balance_after = to_money(cursor.fetchone()[0])
        cursor.execute(
            f"INSERT INTO {T_ENTRY} (wallet_id, kind, amount, balance_after, transaction_id,"  # noqa: S608
            " reason, created_by_id, created_at) VALUES (%s, %s, %s, %s, %s, %s, NULL, %s)",
            [
                wallet_pk,
                str(EntryKind.CANCEL),
                _db_money(delta),
                _db_money(balance_after),
                tx_pk,
                f"cancel of {tx_type} {req.transaction_id}",
                db_now,
            ],
        )
    cursor.execute(
        f"UPDATE {T_TX} SET status = %s, canceled_at = %s WHERE id = %s",  # noqa: S608
        [str(TransactionStatus.CANCELED), db_now, tx_pk],
    )
    return None


# --- Staff and set-up: opening balances and manual adjustments -----------------------------


def wallet_open(*, player: Player, currency: str, opening_balance: Decimal) -> Wallet:
    """Create a player's wallet in a currency; a non-zero opening balance is a ledger entry."""
    if opening_balance < 0:
        raise ValueError("An opening balance cannot be negative")
    with transaction.atomic():
        wallet, _created = Wallet.objects.get_or_create(player=player, currency=currency)
    if opening_balance:
        wallet_adjust(
            wallet=wallet,
            amount=opening_balance,
            reason="Opening balance",
            kind=EntryKind.OPENING,
        )
        wallet.refresh_from_db()
    return wallet


def wallet_adjust(
    *,
    wallet: Wallet,
    amount: Decimal,
    reason: str,
    staff: AbstractBaseUser | None = None,
    kind: EntryKind = EntryKind.ADJUSTMENT,
    allow_negative: bool = False,
) -> LedgerEntry:
    """Credit (amount > 0) or debit (amount < 0) a wallet outside gameplay, with a reason.

    A debit never takes the balance below zero unless `allow_negative`.
    """
    amount = Decimal(amount)
    if amount != amount.quantize(CENT):
        raise ValueError("An amount has at most 2 decimal places")
    if amount == 0:
        raise ValueError("An adjustment must move money")
    if not reason.strip():
        raise ValueError("An adjustment needs a reason")
    now = timezone.now()
    with transaction.atomic():
        locked = Wallet.objects.select_for_update().get(pk=wallet.pk)
        new_balance = locked.balance + amount
        if new_balance < 0 and amount < 0 and not allow_negative:
            raise ValueError(f"Insufficient funds: balance is {locked.balance}")
        Wallet.objects.filter(pk=locked.pk).update(balance=new_balance, updated_at=now)
        return LedgerEntry.objects.create(
            wallet=locked,
            kind=kind,
            amount=amount,
            balance_after=new_balance,
            reason=reason.strip()[:255],
            created_by=staff if staff is not None and staff.pk else None,  # type: ignore[misc]
            created_at=now,
        )
