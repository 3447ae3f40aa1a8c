"""An order's cumulative delivered against expected, as an SVG string (same conventions as
``reports.charts``: presentation attributes only, every text escaped)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape

from core.chart_markers import ChartMarker, markers_svg
from pacing.selectors import CumulativeDay

DELIVERED_COLOUR = "#2451b7"
EXPECTED_COLOUR = "#9aa3b5"
GRID = "#e6e9ef"
TEXT = "#5b6478"


def _short(value: Decimal, money: bool) -> str:
    prefix = "$" if money else ""
    if value >= 1_000_000:
        return f"{prefix}{value / 1_000_000:.1f}M"
    if value >= 1_000:
        return f"{prefix}{value / 1_000:.0f}k"
    return f"{prefix}{value:.0f}"


def cumulative_chart_svg(
    series: list[CumulativeDay],
    *,
    contracted: Decimal,
    money: bool,
    width: int = 720,
    height: int = 260,
    markers: Sequence[ChartMarker] = (),
) -> str:
    """The cumulative delivered and expected lines of an order's flight; ``markers``
    (annotations) are drawn over the days they fall on, focusable, with their text."""
    left, right, top, bottom = 64, width - 16, 16, height - 36
    top_value = max([contracted, *(day.delivered for day in series)]) or Decimal(1)
    days = max(1, len(series))

    def x_of(index: int) -> float:
        return left + (right - left) * (index + 0.5) / days

    def y_of(value: Decimal) -> float:
        return bottom - float(value / top_value) * (bottom - top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="{"group" if markers else "img"}" '
        'font-family="Helvetica, Arial, sans-serif">',
        "<title>Cumulative delivered against expected</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for step in range(5):
        value = top_value * step / 4
        y = y_of(value)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{y + 3.5:.1f}" text-anchor="end" font-size="10" '
            f'fill="{TEXT}">{escape(_short(value, money))}</text>'
        )
    for colour, values, dash in (
        (EXPECTED_COLOUR, [day.expected for day in series], ' stroke-dasharray="5,4"'),
        (DELIVERED_COLOUR, [day.delivered for day in series], ""),
    ):
        if values:
            points = " ".join(f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in enumerate(values))
            parts.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"'
                f"{dash}/>"
            )
    if series:
        for index in sorted({0, len(series) - 1}):
            parts.append(
                f'<text x="{x_of(index):.1f}" y="{bottom + 16}" text-anchor="middle" '
                f'font-size="10" fill="{TEXT}">{escape(series[index].day.strftime("%b %d"))}'
                "</text>"
            )
    parts.append(
        f'<text x="{left}" y="{height - 4}" font-size="10" fill="{DELIVERED_COLOUR}">'
        "— delivered</text>"
        f'<text x="{left + 90}" y="{height - 4}" font-size="10" fill="{EXPECTED_COLOUR}">'
        "- - expected by the delivery shape</text>"
    )
    parts.append(_annotation_markers(series, markers, plot=(left, right, top, bottom), width=width))
    parts.append("</svg>")
    return "".join(parts)


def _annotation_markers(
    series: list[CumulativeDay],
    markers: Sequence[ChartMarker],
    *,
    plot: tuple[float, float, float, float],
    width: int,
) -> str:
    if not series or not markers:
        return ""
    left, right, top, bottom = plot
    slot = (right - left) / len(series)
    return markers_svg(
        markers,
        first_day=series[0].day,
        day_count=len(series),
        slot_left=lambda index: left + slot * index,
        slot_width=slot,
        plot_top=top,
        plot_bottom=bottom,
        width=width,
        interactive=True,
    )
