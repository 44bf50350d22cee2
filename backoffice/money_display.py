"""Money and states as staff read them on every admin list and page: one format
(`money.format_money`, Babel), right-aligned, red when negative; states as coloured badges. It
imports nothing of the admin, so that template tags may use it too."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import SafeString

from money import format_money, to_money


def money_text(value: Decimal | float | None, currency: str = "") -> str:
    """An amount as staff read it everywhere: `money.format_money` (Babel: the currency's symbol
    and decimals, "€1,234.50", "¥500"), two places for an amount SQLite returns as a float
    ("-" for none)."""
    if value is None:
        return "-"
    return format_money(to_money(value), currency)


def money_html(value: Decimal | float | None, currency: str = "") -> SafeString:
    """`money_text` for a list or page: right-aligned in its column (`bo-money`), red when
    negative."""
    if value is None:
        return format_html('<span class="bo-money">{}</span>', "-")
    negative = to_money(value) < 0
    return format_html(
        '<span class="bo-money{}">{}</span>',
        " bo-negative" if negative else "",
        money_text(value, currency),
    )


def badge(text: str, tone: str = "grey") -> SafeString:
    """A state as a small coloured badge: "red" (a warning: Blocked), "green", "grey"."""
    return format_html('<span class="bo-badge bo-badge-{}">{}</span>', tone, text)
