"""Fixtures of the reporting tests: the PLATFORM simulator on a real port, with its own book,
and an operator whose PLATFORM API host is that simulator."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from operators.models import Operator
from platform_client import PlatformClient
from simulator.ledger_book import BookTransaction, LedgerBook
from simulator.server import RunningSimulator, start_in_thread
from tests.factories import OperatorFactory

SIM_OPERATOR_ID = "recon-casino"
SIM_SECRET = "recon-secret-key"
_book_ids = itertools.count(9_000_000)


@pytest.fixture
def book_path(tmp_path: Path) -> Path:
    return tmp_path / "platform-book.sqlite3"


@pytest.fixture
def platform(book_path: Path) -> Iterator[RunningSimulator]:
    """The PLATFORM simulator serving the operator APIs from a thread, on a free port."""
    sim = start_in_thread(operator_id=SIM_OPERATOR_ID, secret_key=SIM_SECRET, book_path=book_path)
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def platform_operator(db: None, platform: RunningSimulator) -> Operator:
    return OperatorFactory(
        operator_id=SIM_OPERATOR_ID, secret_key=SIM_SECRET, api_host=platform.url
    )


@pytest.fixture
def fast_client(platform_operator: Operator) -> PlatformClient:
    """A client that does not retry: error paths answer at once."""
    return PlatformClient(platform_operator, retries=0, timeout=(2.0, 5.0))


def book_entry(
    book: LedgerBook,
    *,
    transaction_type: str,
    amount: str,
    vendor: str = "netent",
    currency: str = "EUR",
    game_id: int = 1001,
    date: dt.date | None = None,
    reason: str = "SPIN",
    status: str = "OK",
    operator_id: str = SIM_OPERATOR_ID,
) -> BookTransaction:
    """A transaction in the PLATFORM's own book (what the simulated PLATFORM sent)."""
    day = date or dt.datetime.now(dt.UTC).date()
    tx = BookTransaction(
        operator_id=operator_id,
        transaction_id=next(_book_ids),
        transaction_type=transaction_type,
        round_id=next(_book_ids),
        user_id="611",
        game_id=game_id,
        vendor=vendor,
        currency_code=currency,
        amount=Decimal(amount),
        transaction_timestamp=f"{day.isoformat()} 12:00:00",
        reason=reason,
        history_id="h-1",
        status=status,
    )
    book.record(tx)
    return tx
