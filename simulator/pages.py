"""The simulator's pages and pictures, rendered from ``simulator/templates/simulator/``.

Django's template engine renders them (autoescaped), as a private `Engine` over the simulator's
own template folder: the project's TEMPLATES (context processors, other apps' templates) play no
part, and nothing here needs a request or the database. Values reach the templates as strings,
so that no localisation setting changes a number.

    render("simulator/hand.html", rows=[...])   -> bytes of the page
    hand_page(state, transaction_id, history_id) -> (status, html): the page a "url" hand
                                                    history names
    media(state, path, query) -> (status, body, content type): /media/thumb/<game_id>.svg and
                                 /media/lobby/<lobby_id>.svg, ?size=WxH (default 300x300)
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.template import Context, Engine

from simulator import catalog_data
from simulator.state import SimulatorState

ENGINE = Engine(dirs=[str(Path(__file__).resolve().parent / "templates")], autoescape=True)
NOT_FOUND = b'{"error":"Not Found"}'


def render(template: str, **context: Any) -> bytes:
    return ENGINE.get_template(template).render(Context(context)).encode()


def hand_page(state: SimulatorState, transaction_id: str, history_id: str) -> tuple[int, bytes]:
    if not transaction_id.isdigit():
        return 404, render("simulator/unknown_round.html")
    tx = state.book.get(operator_id=state.operator_id, transaction_id=int(transaction_id))
    rows = [("Transaction", transaction_id), ("History id", history_id)]
    if tx is not None:
        rows += [
            ("Type", tx.transaction_type),
            ("Round", str(tx.round_id)),
            ("Game", str(tx.game_id)),
            ("Amount", f"{tx.amount} {tx.currency_code}"),
            ("Time (UTC)", tx.transaction_timestamp),
        ]
    return 200, render("simulator/hand.html", rows=rows)


def thumbnail_svg(*, title: str, subtitle: str, colour: str, width: int, height: int) -> bytes:
    """A simple, self-contained SVG thumbnail (escaped text, no external resources)."""
    corner = max(12, min(width, height) // 10)
    # Shrink long titles to fit 90% of the width (a bold sans-serif letter is ~0.6 em wide).
    title_size = min(corner * 1.2, 0.9 * width / (0.6 * max(len(title), 1)))
    subtitle_size = min(corner * 0.8, 0.9 * width / (0.55 * max(len(subtitle), 1)))
    return render(
        "simulator/thumbnail.svg",
        title=title,
        subtitle=subtitle,
        colour=colour,
        width=str(width),
        height=str(height),
        corner=str(corner),
        title_size=f"{title_size:.0f}",
        subtitle_size=f"{subtitle_size:.0f}",
    )


def media(state: SimulatorState, path: str, query: dict[str, list[str]]) -> tuple[int, bytes, str]:
    match = re.fullmatch(r"/media/(thumb|lobby)/([A-Za-z0-9_.-]+)\.svg", path)
    if not match:
        return 404, NOT_FOUND, "application/json"
    kind, key = match.groups()
    size = re.fullmatch(r"(\d{2,4})x(\d{2,4})", (query.get("size") or ["300x300"])[0])
    width, height = (int(size.group(1)), int(size.group(2))) if size else (300, 300)
    if kind == "thumb":
        game = state.game(int(key)) if key.isdigit() else None
        if game is None:
            return 404, NOT_FOUND, "application/json"
        title, subtitle, vendor = game["title"], game["type"], game["vendor"]
    else:
        lobby = state.lobby(key)
        if lobby is None:
            return 404, NOT_FOUND, "application/json"
        title, subtitle, vendor = lobby["details"].get("title", key), "lobby", lobby["vendor"]
    known = catalog_data.VENDOR_BY_CODE.get(vendor)
    svg = thumbnail_svg(
        title=title,
        subtitle=f"{known.name if known else vendor} · {subtitle}",
        colour=known.colour if known else "#30363d",
        width=width,
        height=height,
    )
    return 200, svg, "image/svg+xml"
