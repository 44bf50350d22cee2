"""The simulated PLATFORM's own book of the transactions it sent to an operator's wallet.

`simulate_play` writes one row per changebalance transaction it sends (with the wallet's answer)
and marks the rows it cancels; the simulator's businessReport endpoint aggregates this book, never
our ledger, so that reconciliation compares two independent books.

Storage: one SQLite file (``--book PATH``; default :func:`default_book_path`, in the project's
data directory). Safe for many threads and processes: every operation opens its own
connection, WAL journal, 30 s busy timeout. Money is stored as decimal TEXT and summed as
``Decimal``.

Record format (one row per (operator_id, transaction_id))::

    BookTransaction(
        operator_id="demo-casino",          # X-Operator-Id the call was sent with
        transaction_id=3568,                # changebalance transaction_id
        transaction_type="BET",             # BET | WIN | REFUND
        round_id=1727,
        user_id="611",
        game_id=200,
        vendor="pragmatic",                 # vendor of the game (catalog_data.game_vendor(game_id))
        currency_code="EUR",
        amount=Decimal("17.25"),
        transaction_timestamp="2020-12-01 13:44:54",  # UTC, Y-m-d H:i:s, as sent; its date is
                                                      # the report date
        reason="SPIN",                      # context.reason (PROMO-FREESPIN, JACKPOT-WIN, ...)
        history_id="350-a1Basdf",           # context.history_id
        status="OK",                        # the wallet's answer: OK | ERROR | NO_ANSWER
        error_code="",                      # OP_xx when status is ERROR
        balance_after=Decimal("327.19"),    # balance in the OK answer, else None
        canceled=False,                     # set by mark_canceled (a cancel the wallet accepted)
    )

:meth:`BookTransaction.sent` makes the row of a changebalance from its request data and the
wallet's checked answer (None: no valid answer), for the launch page and `simulate_play` alike.

Rules:

- :meth:`LedgerBook.record` inserts the row. Recording the same transaction again (a retry)
  never changes its data; it replaces the outcome (status, error_code, balance_after) unless the
  stored status is already OK, so an OK is never downgraded (for instance by the OP_40 answer to
  a deliberate retry with changed data). ``canceled=True`` in a later record is kept.
- :meth:`LedgerBook.mark_canceled` marks a transaction canceled (returns False if unknown).
- The business report of a date counts only rows with status OK and not canceled, grouped by
  (vendor, currency_code), dated by ``transaction_timestamp``:
  bets_sum/bets_count = BETs; wins_sum/wins_count = WINs and REFUNDs (money paid back to the
  player); freespins_sum/count = the WINs whose reason is PROMO-FREESPIN; jackpots_sum/count =
  the WINs whose reason contains JACKPOT (both also inside wins); gross_gaming_revenue =
  bets_sum - wins_sum, a string with 2 decimals. Sums are JSON numbers with 2 decimals.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from simulator.wallet_protocol import WalletAnswer

CENT = Decimal("0.01")
TRANSACTION_TYPES = ("BET", "WIN", "REFUND")
STATUSES = ("OK", "ERROR", "NO_ANSWER")
FREESPIN_REASON = "PROMO-FREESPIN"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS book_transaction (
    operator_id TEXT NOT NULL,
    transaction_id INTEGER NOT NULL,
    transaction_type TEXT NOT NULL,
    round_id INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    game_id INTEGER NOT NULL,
    vendor TEXT NOT NULL,
    currency_code TEXT NOT NULL,
    amount TEXT NOT NULL,
    transaction_timestamp TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT 'not_provided',
    history_id TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    error_code TEXT NOT NULL DEFAULT '',
    balance_after TEXT,
    canceled INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (operator_id, transaction_id)
);
CREATE INDEX IF NOT EXISTS book_transaction_day
    ON book_transaction (operator_id, transaction_timestamp);
"""

_COLUMNS = (
    "operator_id, transaction_id, transaction_type, round_id, user_id, game_id, vendor, "
    "currency_code, amount, transaction_timestamp, reason, history_id, status, error_code, "
    "balance_after, canceled"
)


def default_book_path() -> Path:
    """In the project's data directory (DATA_DIR, created if needed): two checkouts never
    share a book, as they would in the system's temporary directory."""
    from django.conf import settings

    data_dir = Path(settings.DATA_DIR)
    data_dir.mkdir(parents=True, exist_ok=True)
    return data_dir / "platform-simulator-book.sqlite3"


@dataclass(frozen=True)
class BookTransaction:
    operator_id: str
    transaction_id: int
    transaction_type: str
    round_id: int
    user_id: str
    game_id: int
    vendor: str
    currency_code: str
    amount: Decimal
    transaction_timestamp: str
    reason: str = "not_provided"
    history_id: str = ""
    status: str = "OK"
    error_code: str = ""
    balance_after: Decimal | None = None
    canceled: bool = False

    def __post_init__(self) -> None:
        if self.transaction_type not in TRANSACTION_TYPES:
            raise ValueError(f"transaction_type must be one of {TRANSACTION_TYPES}")
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}")
        if not isinstance(self.amount, Decimal) or not self.amount.is_finite():
            raise ValueError("amount must be a finite Decimal")
        dt.datetime.strptime(self.transaction_timestamp, "%Y-%m-%d %H:%M:%S")

    @classmethod
    def sent(
        cls,
        *,
        operator_id: str,
        vendor: str,
        data: Mapping[str, Any],
        answer: WalletAnswer | None,
    ) -> BookTransaction:
        """The row of a changebalance sent with `data` and answered `answer`."""
        status = answer.status if answer is not None else "NO_ANSWER"
        return cls(
            operator_id=operator_id,
            transaction_id=data["transaction_id"],
            transaction_type=data["transaction_type"],
            round_id=data["round_id"],
            user_id=data["user_id"],
            game_id=data["game_id"],
            vendor=vendor,
            currency_code=data["currency_code"],
            amount=data["amount"],
            transaction_timestamp=data["transaction_timestamp"],
            reason=data["context"]["reason"],
            history_id=data["context"]["history_id"],
            status=status,
            error_code=(answer.error_code or "") if answer is not None else "",
            balance_after=answer.balance if answer is not None and status == "OK" else None,
        )

    @property
    def date(self) -> dt.date:
        return dt.date.fromisoformat(self.transaction_timestamp[:10])

    @property
    def counts(self) -> bool:
        """Counted in the business report: accepted by the wallet and not canceled."""
        return self.status == "OK" and not self.canceled


class LedgerBook:
    """The simulated PLATFORM's record of the transactions it sent (see the module docstring)."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path else default_book_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)

    def __repr__(self) -> str:
        return f"LedgerBook({str(self.path)!r})"

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            conn.execute("PRAGMA busy_timeout=30000")
            yield conn
        finally:
            conn.close()

    # --- Writes --------------------------------------------------------------------------------

    def record(self, tx: BookTransaction) -> None:
        """Insert a sent transaction, or update the outcome of a retried one (never its data)."""
        values = (
            tx.operator_id,
            int(tx.transaction_id),
            tx.transaction_type,
            int(tx.round_id),
            tx.user_id,
            int(tx.game_id),
            tx.vendor,
            tx.currency_code,
            str(tx.amount),
            tx.transaction_timestamp,
            tx.reason,
            tx.history_id,
            tx.status,
            tx.error_code,
            str(tx.balance_after) if tx.balance_after is not None else None,
            int(tx.canceled),
        )
        with self._connect() as conn:
            conn.execute(
                f"INSERT INTO book_transaction ({_COLUMNS}) "  # noqa: S608 - constant columns
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT (operator_id, transaction_id) DO UPDATE SET "
                "status = CASE WHEN status = 'OK' THEN status ELSE excluded.status END, "
                "error_code = CASE WHEN status = 'OK' THEN error_code "
                "ELSE excluded.error_code END, "
                "balance_after = CASE WHEN status = 'OK' THEN balance_after "
                "ELSE excluded.balance_after END, "
                "canceled = MAX(canceled, excluded.canceled)",
                values,
            )

    def mark_canceled(self, *, operator_id: str, transaction_id: int) -> bool:
        """Mark a transaction canceled. False when the book does not hold it."""
        with self._connect() as conn:
            cursor = conn.execute(
                "UPDATE book_transaction SET canceled = 1 "
                "WHERE operator_id = ? AND transaction_id = ?",
                (operator_id, int(transaction_id)),
            )
            return cursor.rowcount > 0

    def clear(self, *, operator_id: str | None = None) -> None:
        with self._connect() as conn:
            if operator_id is None:
                conn.execute("DELETE FROM book_transaction")
            else:
                conn.execute("DELETE FROM book_transaction WHERE operator_id = ?", (operator_id,))

    # --- Reads ---------------------------------------------------------------------------------

    def get(self, *, operator_id: str, transaction_id: int) -> BookTransaction | None:
        with self._connect() as conn:
            row = conn.execute(
                f"SELECT {_COLUMNS} FROM book_transaction "  # noqa: S608 - constant columns
                "WHERE operator_id = ? AND transaction_id = ?",
                (operator_id, int(transaction_id)),
            ).fetchone()
        return _from_row(row) if row else None

    def transactions(
        self, *, operator_id: str, date: dt.date | None = None
    ) -> list[BookTransaction]:
        """The operator's transactions (of one UTC day when `date` is given), in id order."""
        sql = f"SELECT {_COLUMNS} FROM book_transaction WHERE operator_id = ?"  # noqa: S608
        params: list[Any] = [operator_id]
        if date is not None:
            start = date.isoformat()
            end = (date + dt.timedelta(days=1)).isoformat()
            sql += " AND transaction_timestamp >= ? AND transaction_timestamp < ?"
            params += [start, end]
        with self._connect() as conn:
            rows = conn.execute(sql + " ORDER BY transaction_id", params).fetchall()
        return [_from_row(row) for row in rows]

    def business_report(
        self, *, operator_id: str, date: dt.date, entity_name: str
    ) -> list[dict[str, Any]]:
        """The businessReport rows of one date, as the PLATFORM sends them (JSON-ready: sums are
        Decimals with 2 places, GGR a string)."""
        groups: dict[tuple[str, str], dict[str, Any]] = {}
        for tx in self.transactions(operator_id=operator_id, date=date):
            if not tx.counts:
                continue
            row = groups.setdefault(
                (tx.vendor, tx.currency_code),
                {
                    "bets_sum": Decimal(0),
                    "bets_count": 0,
                    "wins_sum": Decimal(0),
                    "wins_count": 0,
                    "freespins_sum": Decimal(0),
                    "freespins_count": 0,
                    "jackpots_sum": Decimal(0),
                    "jackpots_count": 0,
                },
            )
            if tx.transaction_type == "BET":
                row["bets_sum"] += tx.amount
                row["bets_count"] += 1
                continue
            row["wins_sum"] += tx.amount
            row["wins_count"] += 1
            if tx.transaction_type == "WIN" and tx.reason.upper() == FREESPIN_REASON:
                row["freespins_sum"] += tx.amount
                row["freespins_count"] += 1
            if tx.transaction_type == "WIN" and "JACKPOT" in tx.reason.upper():
                row["jackpots_sum"] += tx.amount
                row["jackpots_count"] += 1
        report = []
        for (vendor, currency), sums in sorted(groups.items()):
            ggr = (sums["bets_sum"] - sums["wins_sum"]).quantize(CENT)
            report.append(
                {
                    "entity_name": entity_name,
                    "vendor": vendor,
                    "currency_code": currency,
                    "bets_sum": sums["bets_sum"].quantize(CENT),
                    "bets_count": sums["bets_count"],
                    "wins_count": sums["wins_count"],
                    "wins_sum": sums["wins_sum"].quantize(CENT),
                    "freespins_sum": sums["freespins_sum"].quantize(CENT),
                    "freespins_count": sums["freespins_count"],
                    "jackpots_count": sums["jackpots_count"],
                    "jackpots_sum": sums["jackpots_sum"].quantize(CENT),
                    "gross_gaming_revenue": f"{ggr:.2f}",
                    "date": date.isoformat(),
                }
            )
        return report


def _from_row(row: tuple[Any, ...]) -> BookTransaction:
    return BookTransaction(
        operator_id=row[0],
        transaction_id=int(row[1]),
        transaction_type=row[2],
        round_id=int(row[3]),
        user_id=row[4],
        game_id=int(row[5]),
        vendor=row[6],
        currency_code=row[7],
        amount=Decimal(row[8]),
        transaction_timestamp=row[9],
        reason=row[10],
        history_id=row[11],
        status=row[12],
        error_code=row[13],
        balance_after=Decimal(row[14]) if row[14] is not None else None,
        canceled=bool(row[15]),
    )
