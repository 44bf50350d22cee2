"""Template helpers of the player's account pages: money in its currency (`money.format_money`,
Babel), limit names, and the self-exclusion notice every player page shows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import template

from lobby import selectors
from money import format_money
from platform_wallet.limits_rules import is_permanent
from platform_wallet.selectors import player_excluded_until

register = template.Library()


@register.filter
def money_in(amount: Decimal | None, currency: str) -> str:
    """1234.5|money_in:"EUR" -> "€1,234.50"; JPY without decimals; "" for None."""
    return format_money(amount, currency or "")


@register.filter
def utc(moment: dt.datetime | None) -> str:
    """A moment as the account pages show it: "2026-12-01 18:05 UTC"."""
    if moment is None:
        return ""
    return f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


@register.filter
def permanent(moment: dt.datetime | None) -> bool:
    return is_permanent(moment)


@register.inclusion_tag("lobby/account/exclusion_notice.html", takes_context=True)
def exclusion_notice(context: Any) -> dict[str, Any]:
    """The notice a self-excluded player sees on every lobby page (empty for anyone else)."""
    if context.get("no_exclusion_notice"):
        return {"until": None}  # the page says it itself
    request = context.get("request")
    user = getattr(request, "user", None)
    player = selectors.player_for_user(user=user) if user is not None else None
    until = player_excluded_until(player=player) if player is not None else None
    return {"until": until, "permanent": is_permanent(until)}
