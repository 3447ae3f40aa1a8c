"""Markers on a daily chart: a numbered flag on a vertical line at a day, a thin band along the
top of the plot when the marker spans several days.

Pure SVG, shared by every daily chart (the trend chart in ``reports.charts`` and the pacing chart
in ``pacing.chart``); it knows nothing of where the markers come from (``annotations`` does).

Two ways to draw them:

- on a page (``interactive=True``) each marker is a focusable group (``tabindex="0"``) with a
  ``<title>`` (the browser's hover tip) and an ``aria-label``, and carries its text in a small
  box that is hidden by a presentation attribute and shown by the stylesheet (``app.css``:
  ``.chart-marker:hover`` and ``:focus``). No script, no inline style: the CSP allows neither.
- in a PDF (``interactive=False``) only the numbered flags are drawn; the document lists the
  numbers' texts under the chart (svglib would draw a hidden box, and a PDF has no focus).

Every text goes through XML escaping: marker texts are written by people.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

MARKER_COLOUR = "#7a3fb0"
BAND_COLOUR = "#dccbee"
TIP_FILL = "#1d2433"
TIP_TEXT = "#ffffff"
_FLAG = 14
_FONT_SIZE = 11
# Helvetica at 11 units averages about 6 units per character.
_CHAR_WIDTH = 6.0


@dataclass(frozen=True)
class ChartMarker:
    """One marker: its number (flag and legend), its days, and the text a person reads."""

    number: int
    start: dt.date
    end: dt.date
    text: str

    @property
    def label(self) -> str:
        """The marker's text with its days: ``Nov 3: CPM $12.50 -> $14.00``."""
        return f"{day_span(self.start, self.end)}: {self.text}"


def day_span(start: dt.date, end: dt.date) -> str:
    """``Nov 3`` for one day, ``Nov 3 to Nov 9`` for several."""
    first = f"{start:%b} {start.day}"
    if end <= start:
        return first
    return f"{first} to {end:%b} {end.day}"


def markers_svg(
    markers: Sequence[ChartMarker],
    *,
    first_day: dt.date,
    day_count: int,
    slot_left: Callable[[int], float],
    slot_width: float,
    plot_top: float,
    plot_bottom: float,
    width: float,
    interactive: bool,
) -> str:
    """The markers of the days ``first_day`` .. ``first_day + day_count - 1``, each day drawn in
    the slot that starts at ``slot_left(index)``; parts outside the days are clipped away."""
    shapes: list[str] = []
    placed: list[tuple[ChartMarker, float, float, int]] = []
    for marker in markers:
        first = max(0, (marker.start - first_day).days)
        last = min(day_count - 1, (marker.end - first_day).days)
        if day_count <= 0 or last < first:
            continue
        x = slot_left(first) + slot_width / 2
        # Flags that would touch (the same day, or days close together on a narrow chart) stack
        # downwards instead of hiding each other.
        row = 0
        while any(abs(x - other) < _FLAG + 1 and row == taken for _, other, _, taken in placed):
            row += 1
        flag_x = min(x, width - _FLAG - 1)
        placed.append((marker, x, flag_x, row))
        flag_y = plot_top + 1 + row * (_FLAG + 2)
        shapes.append(
            f'<line x1="{x:.1f}" y1="{plot_top:.1f}" x2="{x:.1f}" y2="{plot_bottom:.1f}" '
            f'stroke="{MARKER_COLOUR}" stroke-width="1.5" stroke-dasharray="4,3"/>'
        )
        if last > first:
            band_right = slot_left(last) + slot_width / 2
            shapes.append(
                f'<rect x="{x:.1f}" y="{plot_top:.1f}" width="{band_right - x:.1f}" height="5" '
                f'fill="{BAND_COLOUR}"/>'
            )
        shapes.append(
            f'<rect x="{flag_x:.1f}" y="{flag_y:.1f}" width="{_FLAG}" height="{_FLAG}" '
            f'fill="{MARKER_COLOUR}"/>'
            f'<text x="{flag_x + _FLAG / 2:.1f}" y="{flag_y + 10.5:.1f}" font-size="10" '
            f'fill="#ffffff" text-anchor="middle">{marker.number}</text>'
        )
    if not interactive or not placed:
        return "".join(shapes)
    # The focusable parts come after every line and flag, so a shown tip is never under one;
    # tips sit just below the lowest row of flags.
    tip_y = plot_top + 1 + (max(row for *_, row in placed) + 1) * (_FLAG + 2) + 2
    groups = []
    for marker, x, flag_x, _ in placed:
        label = f"Note {marker.number}, {marker.label}"
        groups.append(
            f'<g class="chart-marker" tabindex="0" role="img" aria-label={quoteattr(label)}>'
            f"<title>{escape(label)}</title>"
            # A wide, invisible target: a dashed line is hard to point at.
            f'<rect x="{flag_x - 3:.1f}" y="{plot_top:.1f}" width="{_FLAG + 6}" '
            f'height="{plot_bottom - plot_top:.1f}" fill="#ffffff" fill-opacity="0"/>'
            + _tip(marker.label, x=x, y=tip_y, width=width)
            + "</g>"
        )
    return "".join(shapes + groups)


def _tip(text: str, *, x: float, y: float, width: float) -> str:
    """The marker's text in a dark box near its flag, kept inside the chart (cut with an
    ellipsis when longer than the chart is wide; the title and aria-label keep all of it)."""
    room = max(40.0, width - 16)
    characters = int((room - 12) / _CHAR_WIDTH)
    shown = text if len(text) <= characters else text[: max(1, characters - 1)].rstrip() + "\u2026"
    box = min(room, len(shown) * _CHAR_WIDTH + 12)
    left = min(max(8.0, x - box / 2), width - 8 - box)
    return (
        f'<g class="chart-marker-tip" visibility="hidden">'
        f'<rect x="{left:.1f}" y="{y:.1f}" width="{box:.1f}" height="20" rx="3" '
        f'fill="{TIP_FILL}"/>'
        f'<text x="{left + 6:.1f}" y="{y + 14:.1f}" font-size="{_FONT_SIZE}" '
        f'fill="{TIP_TEXT}">{escape(shown)}</text></g>'
    )
