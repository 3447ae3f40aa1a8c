"""The one server-side chart of the product: a daily trend as an SVG string.

Pure Python, no JavaScript, no dependency: the PDF reports draw it (xhtml2pdf hands SVG to
svglib) and the dashboard pages embed the same markup in HTML. svglib understands only a small
part of SVG, so the markup sticks to what both it and browsers draw the same way: ``rect``,
``line``, ``polyline``, ``circle`` and ``text`` with presentation attributes (no CSS classes, no
``<style>``, no external fonts or images).

Every text in the chart is built here from numbers, dates and fixed labels, except the texts of
annotation markers (written by admins, drawn by ``core.chart_markers``); all of it goes through
XML escaping.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from core.chart_markers import ChartMarker, markers_svg
from ingestion.availability import REASON_NOT_YET_PULLED
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
# The comparison period's bars measure, drawn as a dashed line over the bars.
COMPARISON_COLOUR = "#2f4b8f"
INK = "#1d2433"
MUTED = "#5b6478"
GRID = "#e3e7ee"
FONT = "Helvetica, Arial, sans-serif"

# Days without data: a pale band per reason, never a dip to zero (issue 11).
GAP_COLOURS = {
    "no data: file not delivered": "#f6d9c4",
    "no data: ingestion failed": "#f3c6c6",
    "no data: not yet pulled": "#e6e9ef",
}
GAP_LABELS = {
    "no data: file not delivered": "File not delivered",
    "no data: ingestion failed": "Ingestion failed",
    "no data: not yet pulled": "Not yet pulled",
}
# The measures a person may chart, one or two at a time.
CHARTABLE = (
    "impressions",
    "clicks",
    "conversions",
    "conversion_revenue",
    "spend",
    "ctr",
    "cpa",
    "roas",
)
DEFAULT_CHART = ("impressions", "conversions")

# Room around the plot for the axes' labels and the legend, in SVG units.
_LEFT, _RIGHT, _TOP, _BOTTOM = 70, 70, 40, 34
_TICKS = 4
# Axis and legend text, in SVG units (drawn at the size shown: 12 px on screen).
_AXIS_SIZE, _LEGEND_SIZE = 12, 12
_LEGEND_ROW = 17


def chart_measures(value: str | None) -> tuple[str, ...]:
    """The measures a person picked for the chart (``?chart=impressions,ctr``): one or two of
    ``CHARTABLE``; anything else gives the default."""
    picked = tuple(dict.fromkeys(name for name in (value or "").split(",") if name))
    if 1 <= len(picked) <= 2 and all(name in CHARTABLE for name in picked):
        return picked
    return DEFAULT_CHART


def chart_choices() -> list[tuple[str, str]]:
    """(value, label) of every measure a person may chart."""
    return [(name, MEASURE_LABELS[name]) for name in CHARTABLE]


def gap_days(days: list[tuple[dt.date, Totals]], reasons: dict[dt.date, str]) -> dict[dt.date, str]:
    """The days that hold no data at all, with why (not yet pulled when no run explains it)."""
    return {
        day: reasons.get(day, REASON_NOT_YET_PULLED)
        for day, totals in days
        if not (totals.impressions or totals.clicks or totals.conversions or totals.spend)
    }


def trend_chart_svg(
    series: Sequence[DailyPoint],
    *,
    width: int = 720,
    height: int = 260,
    measures: tuple[str, ...] = ("impressions", "spend"),
    gaps: Mapping[dt.date, str] | None = None,
    markers: Sequence[ChartMarker] = (),
    interactive: bool = True,
    comparison: Sequence[DailyPoint] = (),
    comparison_label: str = "",
) -> str:
    """A chart of ``series`` (one ``(date, Totals)`` per day, in order): the first measure as
    bars on the left axis, the second (if any) as a line on the right axis.

    ``comparison`` (the compared period's days, paired by offset: its n-th day is drawn over
    the n-th day of ``series``) draws the first measure again as a dashed line on the left
    axis, named ``comparison_label`` in the legend; it breaks over compared days without data.

    ``gaps`` are the days without data and why (an availability reason): they are drawn as a
    pale band in the reason's colour, named in the legend, and the line breaks there instead
    of dipping to zero.

    ``markers`` (annotations) are drawn over the plot by ``_annotation_markers``: focusable, with
    their text on hover and focus when ``interactive`` (pages), numbered flags only otherwise
    (the PDF lists the numbers' texts).

    Axes start at zero and end on a round number; their labels carry thousands separators
    (``150,000``, ``$1,250``). Date labels are thinned out so they never overlap. A series with
    nothing delivered still draws both axes and says so.
    """
    if not 1 <= len(measures) <= 2:
        raise ValueError("chart one or two measures")
    bar_measure, line_measure = measures[0], measures[-1]
    gaps = gaps or {}
    for measure in measures:
        if measure not in ALL_MEASURES:
            raise ValueError(f"cannot chart {measure!r}; use one of {', '.join(ALL_MEASURES)}")
    plot_left, plot_right = _LEFT, width - _RIGHT
    # The legend wraps onto more rows on a narrow chart rather than running off its edge.
    legend, legend_rows = _legend(
        plot_left,
        measures,
        sorted(set(gaps.values())),
        right=width - 8,
        comparison_label=comparison_label if comparison else "",
    )
    plot_top, plot_bottom = _TOP + _LEGEND_ROW * (legend_rows - 1), height - _BOTTOM
    plot_width, plot_height = plot_right - plot_left, plot_bottom - plot_top

    bars = [_value(totals, bar_measure) for _, totals in series]
    line = [_value(totals, line_measure) for _, totals in series]
    compared = [
        _value(totals, bar_measure) if _has_data(totals) else None
        for _, totals in comparison[: len(series)]
    ]
    bar_ticks = _nice_ticks(
        max([*bars, *(value for value in compared if value is not None)], default=Decimal(0))
    )
    line_ticks = _nice_ticks(max(line, default=Decimal(0)))

    def y_of(value: Decimal, top_tick: Decimal) -> float:
        return plot_bottom - float(value / top_tick) * plot_height

    parts: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" {_root_role(markers, interactive)} '
        f"font-family={quoteattr(FONT)}>",
        f"<title>{escape(_title(series, measures))}</title>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    # Grid and both axes' labels.
    count = len(series)
    slot = plot_width / count if count else plot_width
    for index, (day, _) in enumerate(series):
        if day in gaps:
            parts.append(
                f'<rect x="{plot_left + slot * index:.1f}" y="{plot_top:.1f}" '
                f'width="{slot:.1f}" height="{plot_height:.1f}" '
                f'fill="{GAP_COLOURS.get(gaps[day], GRID)}"/>'
            )
    for index, (bar_tick, line_tick) in enumerate(zip(bar_ticks, line_ticks, strict=True)):
        y = plot_bottom - plot_height * index / _TICKS
        parts.append(_line(plot_left, y, plot_right, y, GRID if index else MUTED))
        parts.append(_text(plot_left - 6, y + 4, _format(bar_tick, bar_measure), "end"))
        if len(measures) == 2:
            parts.append(_text(plot_right + 6, y + 4, _format(line_tick, line_measure), "start"))

    bar_width = max(1.0, slot * 0.7)
    for index, value in enumerate(bars):
        if value <= 0 or series[index][0] in gaps:
            continue
        y = y_of(value, bar_ticks[-1])
        x = plot_left + slot * index + (slot - bar_width) / 2
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_width:.1f}" '
            f'height="{plot_bottom - y:.1f}" fill="{BAR_COLOUR}"/>'
        )
    compared_runs: list[list[tuple[float, float]]] = [[]]
    for index, compared_value in enumerate(compared):
        if compared_value is None:
            compared_runs.append([])
        else:
            y = y_of(compared_value, bar_ticks[-1])
            compared_runs[-1].append((plot_left + slot * (index + 0.5), y))
    for run in compared_runs:
        coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
        if len(run) >= 2:
            parts.append(
                f'<polyline points="{coordinates}" fill="none" stroke="{COMPARISON_COLOUR}" '
                'stroke-width="1.5" stroke-dasharray="5,3"/>'
            )
        elif run:
            x, y = run[0]
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2" fill="{COMPARISON_COLOUR}"/>')
    if count and len(measures) == 2:
        points = [
            (plot_left + slot * (index + 0.5), y_of(value, line_ticks[-1]))
            for index, value in enumerate(line)
            if series[index][0] not in gaps
        ]
        # One polyline per run of days with data: the line breaks over a gap.
        runs: list[list[tuple[float, float]]] = [[]]
        for index, value in enumerate(line):
            if series[index][0] in gaps:
                runs.append([])
            else:
                runs[-1].append((plot_left + slot * (index + 0.5), y_of(value, line_ticks[-1])))
        for run in runs:
            if len(run) < 2:
                continue
            coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            parts.append(
                f'<polyline points="{coordinates}" fill="none" stroke="{LINE_COLOUR}" '
                'stroke-width="2" stroke-linejoin="round"/>'
            )
        if count <= 45 or any(len(run) == 1 for run in runs):
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
            parts.append(_text(x, plot_bottom + 18, _format_day(day), "middle"))
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
    parts.extend(legend)
    parts.append(
        _annotation_markers(
            series,
            markers,
            plot=(plot_left, plot_top, plot_bottom, slot),
            width=width,
            interactive=interactive,
        )
    )
    parts.append("</svg>")
    return "".join(parts)


def _root_role(markers: Sequence[ChartMarker], interactive: bool) -> str:
    # The children of role="img" are hidden from assistive technology: a chart whose markers
    # can be focused is a group.
    return 'role="group"' if markers and interactive else 'role="img"'


def _annotation_markers(
    series: Sequence[DailyPoint],
    markers: Sequence[ChartMarker],
    *,
    plot: tuple[float, float, float, float],
    width: int,
    interactive: bool,
) -> str:
    """The annotations' markers over the days of ``series`` (last, so their tips are on top)."""
    if not series or not markers:
        return ""
    left, top, bottom, slot = plot
    return markers_svg(
        markers,
        first_day=series[0][0],
        day_count=len(series),
        slot_left=lambda index: left + slot * index,
        slot_width=slot,
        plot_top=top,
        plot_bottom=bottom,
        width=width,
        interactive=interactive,
    )


def _has_data(totals: Totals) -> bool:
    return bool(totals.impressions or totals.clicks or totals.conversions or totals.spend)


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


def _title(series: Sequence[DailyPoint], measures: tuple[str, ...]) -> str:
    names = " and ".join(MEASURE_LABELS[measure] for measure in measures)
    if not series:
        return f"{names} per day"
    return f"{names} per day, {series[0][0]:%Y-%m-%d} to {series[-1][0]:%Y-%m-%d}"


def _line(x1: float, y1: float, x2: float, y2: float, colour: str) -> str:
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        f'stroke="{colour}" stroke-width="1"/>'
    )


def _text(x: float, y: float, content: str, anchor: str, *, size: int = _AXIS_SIZE) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{MUTED}" '
        f'text-anchor="{anchor}">{escape(content)}</text>'
    )


def _legend(
    left: float,
    measures: tuple[str, ...],
    reasons: list[str],
    *,
    right: float,
    comparison_label: str = "",
) -> tuple[list[str], int]:
    """Bars, line and the reasons of the gaps, one after another, on as many rows as the width
    needs (Helvetica at 12 units averages about 6.6 units per character). Returns the markup
    and the number of rows."""
    sides = ("left axis", "right axis") if len(measures) == 2 else ("",)
    items: list[tuple[str, str]] = []
    for index, (measure, side) in enumerate(zip(measures, sides, strict=True)):
        label = f"{MEASURE_LABELS[measure]} ({side})" if side else MEASURE_LABELS[measure]
        items.append(("bar" if index == 0 else "line", label))
    if comparison_label:
        items.append(("compared", f"{MEASURE_LABELS[measures[0]]}, {comparison_label}"))
    for reason in reasons:
        items.append((reason, f"No data: {GAP_LABELS.get(reason, reason).lower()}"))
    parts: list[str] = []
    x, row = left, 0
    for key, label in items:
        item_width = 16 + len(label) * 6.6
        if x > left and x + item_width > right:
            x, row = left, row + 1
        y = 12 + _LEGEND_ROW * row
        if key == "bar":
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="12" height="11" fill="{BAR_COLOUR}"/>')
        elif key == "compared":
            parts.append(
                f'<line x1="{x:.1f}" y1="{y + 5.5}" x2="{x + 12:.1f}" y2="{y + 5.5}" '
                f'stroke="{COMPARISON_COLOUR}" stroke-width="1.5" stroke-dasharray="5,3"/>'
            )
        elif key == "line":
            parts.append(
                f'<line x1="{x:.1f}" y1="{y + 5.5}" x2="{x + 12:.1f}" y2="{y + 5.5}" '
                f'stroke="{LINE_COLOUR}" stroke-width="2"/>'
            )
        else:
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="12" height="11" '
                f'fill="{GAP_COLOURS.get(key, GRID)}" stroke="{GRID}" stroke-width="1"/>'
            )
        parts.append(_legend_text(x + 16, y + 10, label))
        x += item_width + 18
    return parts, row + 1


def _legend_text(x: float, y: float, label: str) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{_LEGEND_SIZE}" fill="{INK}">'
        f"{escape(label)}</text>"
    )
