"""Money, written once. Every amount is a `Decimal` with two places (DECIMAL(18,2) columns);
never a float, never rounded silently.

- `CENT`, `ZERO`: the smallest unit we store, and nothing.
- `to_money(value)`: an amount read back from the database as an exact 2-place Decimal.
  PostgreSQL returns Decimal; SQLite returns what it stored (REAL for raw SQL, or a string),
  whose shortest repr is the amount that was written; None (an empty SUM) is ZERO.
- `is_whole_cents(amount)`: True when `amount` has at most two decimal places.

It depends on nothing in the project, so that every layer may use it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value: Any) -> Decimal:
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        return value.quantize(CENT)
    return Decimal(str(value)).quantize(CENT)


def is_whole_cents(amount: Decimal) -> bool:
    return amount.is_finite() and amount == amount.quantize(CENT)
