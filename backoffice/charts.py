"""Server-rendered SVG charts for the admin (no JavaScript, no CDN: works offline)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ["#417690", "#c2571a", "#2e8540", "#8e44ad", "#b8860b", "#d6336c", "#1f6feb"]


def _fmt(value: Decimal) -> str:
    return f"{value:,.2f}"


def line_chart_svg(
    *,
    series: Mapping[str, Sequence[tuple[dt.date, Decimal]]],
    title: str,
    width: int = 760,
    height: int = 280,
    highlight: set[dt.date] | None = None,
    x_format: str = "%m-%d",
    y_format: Callable[[Decimal], str] = _fmt,
) -> SafeString:
    """One line per series (e.g. GGR per currency) over dates (or hours: datetimes with
    `x_format="%H:00"`), with a zero line, axis labels (values by `y_format`) and a legend that
    wraps onto more rows. Dates in `highlight` get a red marker (e.g. days with mismatches)."""
    points = [(day, value) for values in series.values() for day, value in values]
    if not points:
        return mark_safe('<p class="bo-chart-empty">No data for the chart yet.</p>')
    highlight = highlight or set()
    days = sorted({day for day, _ in points})
    lo = min(min(value for _, value in points), Decimal(0))
    hi = max(max(value for _, value in points), Decimal(0))
    if hi == lo:
        hi = lo + 1
    per_row = max(1, (width - 80) // 130)
    legend_rows = (len(series) + per_row - 1) // per_row
    height += 18 * (legend_rows - 1)
    left, right, top, bottom = 80, 20, 30, 40 + 18 * legend_rows
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(day: dt.date) -> float:
        if len(days) == 1:
            return left + plot_w / 2
        return left + plot_w * days.index(day) / (len(days) - 1)

    def y(value: Decimal) -> float:
        return top + plot_h * float((hi - value) / (hi - lo))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bo-chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<text x="{left}" y="18" class="bo-chart-title">{escape(title)}</text>',
    ]
    for tick in range(5):
        value = lo + (hi - lo) * Decimal(tick) / Decimal(4)
        ty = y(value)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{ty:.1f}" y2="{ty:.1f}" class="bo-grid"/>'
            f'<text x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end" class="bo-axis">'
            f"{escape(y_format(value))}</text>"
        )
    zero = y(Decimal(0))
    parts.append(
        f'<line x1="{left}" x2="{width - right}" y1="{zero:.1f}" y2="{zero:.1f}" class="bo-zero"/>'
    )
    step = max(1, len(days) // 8)
    for index, day in enumerate(days):
        if index % step == 0 or index == len(days) - 1:
            parts.append(
                f'<text x="{x(day):.1f}" y="{height - bottom + 18}" text-anchor="middle" '
                f'class="bo-axis">{day.strftime(x_format)}</text>'
            )
        if day in highlight:
            parts.append(
                f'<rect x="{x(day) - 4:.1f}" y="{top}" width="8" height="{plot_h}" '
                f'class="bo-mismatch-band"><title>mismatch on {day.isoformat()}</title></rect>'
            )
    for index, (name, values) in enumerate(sorted(series.items())):
        color = PALETTE[index % len(PALETTE)]
        ordered = sorted(values)
        path = " ".join(f"{x(day):.1f},{y(value):.1f}" for day, value in ordered)
        parts.append(
            f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2" '
            f'data-series="{escape(name)}"/>'
        )
        for day, value in ordered:
            parts.append(
                f'<circle cx="{x(day):.1f}" cy="{y(value):.1f}" r="3" fill="{color}">'
                f"<title>{escape(name)} {day.isoformat()}: "
                f"{escape(y_format(value))}</title></circle>"
            )
        lx = left + (index % per_row) * 130
        ly = height - 18 * (legend_rows - index // per_row)
        parts.append(
            f'<rect x="{lx}" y="{ly}" width="10" height="10" fill="{color}"/>'
            f'<text x="{lx + 14}" y="{ly + 9}" class="bo-legend">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or numeric
