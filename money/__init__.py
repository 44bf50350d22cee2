"""Money, written once. Every amount is a `Decimal` with two places (DECIMAL(18,2) columns);
never a float, never rounded silently.

- `CENT`, `ZERO`: the smallest unit we store, and nothing.
- `to_money(value)`: an amount read back from the database as an exact 2-place Decimal.
  PostgreSQL returns Decimal; SQLite returns what it stored (REAL for raw SQL, or a string),
  whose shortest repr is the amount that was written; None (an empty SUM) is ZERO.
- `is_whole_cents(amount)`: True when `amount` has at most two decimal places.
- `format_money(amount, currency)`: the one way an amount is shown to a person, by Babel's
  CLDR data: the currency's symbol and its own decimals (EUR 2, JPY none), grouped digits
  ("€1,234.50", "¥500", "-£0.40"). A currency Babel does not know (a custom code agreed with
  the PLATFORM) is written after the amount ("1.40 MBTC"). Digits beyond the currency's are
  shown, never rounded away (a JPY amount of 100.50 reads "¥100.5").

Babel (CLDR) rather than hand-rolled strings: symbols, decimals and grouping per currency and
locale are data someone keeps. It depends on nothing in the project, so every layer may use it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import format_currency, format_decimal, list_currencies

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
LOCALE = "en_US"
_KNOWN_CURRENCIES = frozenset(list_currencies())


def to_money(value: Any) -> Decimal:
    if value is None:
        return ZERO
    if isinstance(value, Decimal):
        return value.quantize(CENT)
    return Decimal(str(value)).quantize(CENT)


def is_whole_cents(amount: Decimal) -> bool:
    return amount.is_finite() and amount == amount.quantize(CENT)


def format_money(amount: Decimal | int | None, currency: str, *, locale: str = LOCALE) -> str:
    if amount is None:
        return ""
    value = Decimal(amount)
    if currency.upper() in _KNOWN_CURRENCIES:
        return str(
            format_currency(value, currency.upper(), locale=locale, decimal_quantization=False)
        )
    number = format_decimal(value, format="#,##0.00", locale=locale, decimal_quantization=False)
    return f"{number} {currency}".strip()
