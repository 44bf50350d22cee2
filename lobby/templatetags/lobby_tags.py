"""Template helpers of the lobby pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import template
from django.http import HttpRequest
from django.urls import reverse

from catalog.selectors import row_vendor_name
from lobby import selectors
from lobby.launch import NEW_TAB_LOBBIES
from money import format_money

register = template.Library()


@register.filter
def thumbnail(details: Any) -> str:
    """The tile picture URL of a game or lobby (`details["thumbnails"]`), "" if none."""
    return selectors.thumbnail_url(details if isinstance(details, dict) else None)


@register.filter
def description(details: Any, language: str = "en") -> str:
    return selectors.description(details if isinstance(details, dict) else None, language=language)


@register.filter
def lobby_title(lobby: Any) -> str:
    return selectors.lobby_title(lobby)


@register.filter
def money_in(amount: Decimal | None, currency: str) -> str:
    """An amount in its currency, the one way money is shown (`money.format_money`, Babel):
    "€1,234.50", "¥500"."""
    return format_money(amount, currency or "")


@register.filter
def vendor_name(row: Any) -> str:
    """A game's or lobby's vendor as players see it: "playngo" -> "Play'n GO"."""
    return row_vendor_name(row)


@register.filter
def initials(title: str) -> str:
    """Up to two letters for a tile without a picture: "Book of Ra" -> "BR"."""
    words = [w for w in str(title).split() if w[:1].isalnum()]
    letters = "".join(w[0] for w in words if len(w) > 2 or len(words) == 1)[:2]
    return (letters or str(title)[:2]).upper()


@register.filter
def hue(value: Any) -> int:
    """A stable colour (0-359) for a tile without a picture."""
    try:
        return (int(value) * 47) % 360
    except (TypeError, ValueError):
        return sum(map(ord, str(value))) * 47 % 360


@register.filter
def opens_in_new_tab(lobby_id: str) -> bool:
    """Spec, Lobbies list notes: live168 only works in a new tab."""
    return lobby_id in NEW_TAB_LOBBIES


@register.filter
def label(value: str) -> str:
    """A vendor or game type as shown: "live_casino" -> "Live casino"."""
    text = str(value).replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: Any) -> str:
    """The current query string with some parameters changed ("" or None drops one);
    changing a filter resets the page."""
    request: HttpRequest = context["request"]
    params = {k: v for k, v in request.GET.items() if v}
    if "page" not in changes:
        params.pop("page", None)
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + urlencode(params) if params else "?"


@register.filter
def chosen_game_url(game_id: int) -> str:
    """The lobby showing one chosen game first: where a visitor's login returns (?next=)."""
    return f"{reverse('lobby:home')}?{urlencode({'game': int(game_id)})}"
