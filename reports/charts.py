"""The one server-side chart of the product: a daily trend as an SVG string.

Pure Python, no JavaScript, no dependency: the PDF reports draw it (xhtml2pdf hands SVG to
svglib) and the dashboard pages embed the same markup in HTML. svglib understands only a small
part of SVG, so the markup sticks to what both it and browsers draw the same way: ``rect``,
``line``, ``polyline``, ``circle`` and ``text`` with presentation attributes (no CSS classes, no
``<style>``, no external fonts or images).

Every text in the chart is built here from numbers, dates and fixed labels, and still goes through
XML escaping: the chart never carries client-controlled text.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from metrics.formulas import ALL_MEASURES, Totals

DailyPoint = tuple[dt.date, Totals]

MEASURE_LABELS = {
    "impressions": "Impressions",
    "clicks": "Clicks",
    "conversions": "Conversions",
    "conversion_revenue": "Revenue",
    "spend": "Spend",
    "ctr": "CTR",
    "cpc": "CPC",
    "cpa": "CPA",
    "roas": "ROAS",
}
MONEY_MEASURES = frozenset({"conversion_revenue", "spend", "cpc", "cpa"})
PERCENT_MEASURES = frozenset({"ctr", "roas"})

BAR_COLOUR = "#9db7e8"
LINE_COLOUR = "#d9622b"
INK = "#1d2433"
MUTED = "#5b6478"
GRID = "#e3e7ee"
FONT = "Helvetica, Arial, sans-serif"

# Room around the plot for the axes' labels and the legend, in SVG units.
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 64, 34, 30
_TICKS = 4


def trend_chart_svg(
    series: Sequence[DailyPoint],
    *,
    width: int = 720,
    height: int = 260,
    measures: tuple[str, str] = ("impressions", "spend"),
) -> str:
    """A chart of ``series`` (one ``(date, Totals)`` per day, in order): the first measure as
    bars on the left axis, the second as a line on the right axis.

    Axes start at zero and end on a round number; their labels carry thousands separators
    (``150,000``, ``$1,250``). Date labels are thinned out so they never overlap. A series with
    nothing delivered still draws both axes and says so.
    """
    bar_measure, line_measure = measures
    for measure in measures:
        if measure not in ALL_MEASURES:
            raise ValueError(f"cannot chart {measure!r}; use one of {', '.join(ALL_MEASURES)}")
    plot_left, plot_right = _LEFT, width - _RIGHT
    plot_top, plot_bottom = _TOP, height - _BOTTOM
    plot_width, plot_height = plot_right - plot_left, plot_bottom - plot_top

    bars = [_value(totals, bar_measure) for _, totals in series]
    line = [_value(totals, line_measure) for _, totals in series]
    bar_ticks = _nice_ticks(max(bars, default=Decimal(0)))
    line_ticks = _nice_ticks(max(line, default=Decimal(0)))

    def y_of(value: Decimal, top_tick: Decimal) -> float:
        return plot_bottom - float(value / top_tick) * plot_height

    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family={quoteattr(FONT)}>',
        f"<title>{escape(_title(series, measures))}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    # Grid and both axes' labels.
    for index, (bar_tick, line_tick) in enumerate(zip(bar_ticks, line_ticks, strict=True)):
        y = plot_bottom - plot_height * index / _TICKS
        parts.append(_line(plot_left, y, plot_right, y, GRID if index else MUTED))
        parts.append(_text(plot_left - 6, y + 3.5, _format(bar_tick, bar_measure), "end"))
        parts.append(_text(plot_right + 6, y + 3.5, _format(line_tick, line_measure), "start"))

    count = len(series)
    slot = plot_width / count if count else plot_width
    bar_width = max(1.0, slot * 0.7)
    for index, value in enumerate(bars):
        if value <= 0:
            continue
        y = y_of(value, bar_ticks[-1])
        x = plot_left + slot * index + (slot - bar_width) / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_width:.1f}" '
            f'height="{plot_bottom - y:.1f}" fill="{BAR_COLOUR}"/>'
        )
    if count:
        points = [
            (plot_left + slot * (index + 0.5), y_of(value, line_ticks[-1]))
            for index, value in enumerate(line)
        ]
        coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(
            f'<polyline points="{coordinates}" fill="none" stroke="{LINE_COLOUR}" '
            'stroke-width="2" stroke-linejoin="round"/>'
        )
        if count <= 45:
            parts.extend(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{LINE_COLOUR}"/>'
                for x, y in points
            )
    # Date labels: at most one every ~60 units, always the first and (when room) the last day:
    # the last one only when at least ~60 units from the label before it.
    step = max(1, math.ceil(count / max(1, plot_width // 60)))
    last_gap = (count - 1) % step
    for index, (day, _) in enumerate(series):
        if index % step == 0 or (index == count - 1 and last_gap * slot >= 60):
            x = plot_left + slot * (index + 0.5)
            parts.append(_text(x, plot_bottom + 16, _format_day(day), "middle"))
    if not any(bars) and not any(line):
        parts.append(
            _text(
                (plot_left + plot_right) / 2,
                (plot_top + plot_bottom) / 2,
                "No delivery in this period",
                "middle",
                size=12,
            )
        )
    parts.extend(_legend(plot_left, measures))
    parts.append("</svg>")
    return "".join(parts)


def _value(totals: Totals, measure: str) -> Decimal:
    return Decimal(getattr(totals, measure))


def _nice_ticks(maximum: Decimal) -> list[Decimal]:
    """``_TICKS + 1`` evenly spaced round values from 0 to at least ``maximum``."""
    if maximum <= 0:
        return [Decimal(index) for index in range(_TICKS + 1)]
    raw_step = float(maximum) / _TICKS
    magnitude = 10 ** math.floor(math.log10(raw_step))
    for factor in (1, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5, 8, 10):
        if raw_step <= factor * magnitude:
            step = Decimal(str(factor)) * Decimal(str(magnitude))
            break
    return [step * index for index in range(_TICKS + 1)]


def _format(value: Decimal, measure: str) -> str:
    """An axis label: ``150,000``, ``$1,250``, ``$2.50``, ``0.5%``, ``1.2M``."""
    if measure in PERCENT_MEASURES:
        return f"{_short(value)}%"
    prefix = "$" if measure in MONEY_MEASURES else ""
    return f"{prefix}{_short(value)}"


def _short(value: Decimal) -> str:
    if value >= 10_000_000:
        return f"{value / 1_000_000:,.0f}M"
    if value >= 1_000_000:
        return f"{value / 1_000_000:,.1f}M".replace(".0M", "M")
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _format_day(day: dt.date) -> str:
    return f"{day:%b} {day.day}"


def _title(series: Sequence[DailyPoint], measures: tuple[str, str]) -> str:
    names = " and ".join(MEASURE_LABELS[measure] for measure in measures)
    if not series:
        return f"{names} per day"
    return f"{names} per day, {series[0][0]:%Y-%m-%d} to {series[-1][0]:%Y-%m-%d}"


def _line(x1: float, y1: float, x2: float, y2: float, colour: str) -> str:
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        f'stroke="{colour}" stroke-width="1"/>'
    )


def _text(x: float, y: float, content: str, anchor: str, *, size: int = 10) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{MUTED}" '
        f'text-anchor="{anchor}">{escape(content)}</text>'
    )


def _legend(left: float, measures: tuple[str, str]) -> list[str]:
    bar_label, line_label = (
        f"{MEASURE_LABELS[measure]} ({side})"
        for measure, side in zip(measures, ("left axis", "right axis"), strict=True)
    )
    # Helvetica at 11 units averages about 6 units per character.
    line_left = left + 16 + len(bar_label) * 6 + 24
    return [
        f'<rect x="{left:.1f}" y="10" width="12" height="10" fill="{BAR_COLOUR}"/>',
        f'<text x="{left + 16:.1f}" y="19" font-size="11" fill="{INK}">{escape(bar_label)}</text>',
        f'<line x1="{line_left:.1f}" y1="15" x2="{line_left + 14:.1f}" y2="15" '
        f'stroke="{LINE_COLOUR}" stroke-width="2"/>',
        f'<text x="{line_left + 18:.1f}" y="19" font-size="11" fill="{INK}">'
        f"{escape(line_label)}</text>",
    ]
