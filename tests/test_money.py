"""The one money format (issue 12): Babel's CLDR data, currency-aware, never rounding away."""

from __future__ import annotations

from decimal import Decimal

import pytest

from money import format_money, is_whole_cents, to_money


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("500"), "EUR", "€500.00"),
        (Decimal("107881.02"), "USD", "$107,881.02"),
        (Decimal("250.00"), "gbp", "£250.00"),
        (Decimal("500.00"), "JPY", "¥500"),  # JPY has no decimals
        (Decimal("100.50"), "JPY", "¥100.5"),  # ... but cents that exist are never hidden
        (Decimal("-0.40"), "EUR", "-€0.40"),
        (Decimal("1.4"), "MBTC", "1.40 MBTC"),  # a custom code: after the amount
        (7, "EUR", "€7.00"),
        (None, "EUR", ""),
    ],
)
def test_issue12_one_currency_aware_money_format(amount, currency, shown) -> None:
    assert format_money(amount, currency) == shown


def test_to_money_reads_database_values_exactly() -> None:
    assert to_money(1.4) == Decimal("1.40")  # SQLite's REAL, by its shortest repr
    assert to_money("0.1") == Decimal("0.10")
    assert to_money(None) == Decimal("0.00")


def test_whole_cents() -> None:
    assert is_whole_cents(Decimal("1.10"))
    assert not is_whole_cents(Decimal("1.105"))
    assert not is_whole_cents(Decimal("Infinity"))
