"""Numbers for people: how each measure is labelled and written on the pages.

Storage keeps six decimal places; pages round once, here, with the same rounding as
``metrics.formulas.to_display`` (2 places for money and percentages). Counts get thousands
separators (``541,210``), money a dollar sign (``$8,118.15``), rates a percent sign (``2.35%``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from metrics.clicks import CLICK_MEASURES, reports_clicks
from metrics.formulas import Change, to_display
from metrics.periods import ONE_DAY

EN_DASH = "\u2013"


class Kind(StrEnum):
    COUNT = "count"
    MONEY = "money"
    PERCENT = "percent"


class Direction(StrEnum):
    """Which way a measure moving is good news for the client (colours and screen-reader text)."""

    UP_IS_GOOD = "up"
    DOWN_IS_GOOD = "down"
    NEUTRAL = "neutral"


@dataclass(frozen=True)
class Measure:
    name: str
    label: str
    kind: Kind
    direction: Direction
    help_text: str


# In the order the KPI cards and the tables show them.
MEASURES = (
    Measure("impressions", "Impressions", Kind.COUNT, Direction.UP_IS_GOOD, "Ads shown."),
    Measure("clicks", "Clicks", Kind.COUNT, Direction.UP_IS_GOOD, "Clicks on the ads."),
    Measure(
        "ctr",
        "CTR",
        Kind.PERCENT,
        Direction.UP_IS_GOOD,
        "Click-through rate: clicks / impressions.",
    ),
    Measure(
        "conversions", "Conversions", Kind.COUNT, Direction.UP_IS_GOOD, "Purchases attributed."
    ),
    Measure(
        "conversion_revenue",
        "Revenue",
        Kind.MONEY,
        Direction.UP_IS_GOOD,
        "Value of the conversions.",
    ),
    Measure(
        "spend", "Spend", Kind.MONEY, Direction.NEUTRAL, "What you are billed: impressions x CPM."
    ),
    Measure("cpc", "CPC", Kind.MONEY, Direction.DOWN_IS_GOOD, "Cost per click: spend / clicks."),
    Measure(
        "cpa",
        "CPA",
        Kind.MONEY,
        Direction.DOWN_IS_GOOD,
        "Cost per acquisition: spend / conversions.",
    ),
    Measure(
        "roas", "ROAS", Kind.PERCENT, Direction.UP_IS_GOOD, "Return on ad spend: revenue / spend."
    ),
)
MEASURES_BY_NAME = {measure.name: measure for measure in MEASURES}


def count(value: int | Decimal | None) -> str:
    """``541210`` -> ``541,210``."""
    return f"{int(value or 0):,}"


def money(value: int | Decimal | None) -> str:
    """``8118.154`` -> ``$8,118.15``; negatives as ``-$12.00``."""
    rounded = to_display(Decimal(value or 0))
    sign = "-" if rounded < 0 else ""
    return f"{sign}${abs(rounded):,.2f}"


def percent(value: int | Decimal | None) -> str:
    """A rate already in percent: ``2.3456`` -> ``2.35%``."""
    return f"{to_display(Decimal(value or 0)):,.2f}%"


_WRITERS = {Kind.COUNT: count, Kind.MONEY: money, Kind.PERCENT: percent}


def measure_value(name: str, value: int | Decimal | None) -> str:
    """Any measure written the way its kind is written."""
    return _WRITERS[MEASURES_BY_NAME[name].kind](value)


# A click measure of a source without clicks (CTV), or a click rate where no source reports
# clicks (SPEC 9): not zero, not applicable.
NOT_APPLICABLE = "n/a"

# The base measure each cost divides by. The formulas give 0 when it is 0 (SPEC section 4); a
# page shows a dash instead, since "$0.00 per click" on CTV, which has no clicks, would mislead.
COST_DIVISORS = {"cpc": "clicks", "cpa": "conversions"}
UNDEFINED = "\u2013"


def is_not_applicable(name: str, values: Mapping[str, Any]) -> bool:
    """Clicks, CTR or CPC of a row of a source without clicks, or of totals where no source
    reports clicks (their ``ctr`` is None)."""
    if name not in CLICK_MEASURES:
        return False
    if "source" in values and not reports_clicks(values["source"]):
        return True
    return "ctr" in values and values["ctr"] is None


def is_undefined(name: str, values: Mapping[str, Any]) -> bool:
    """Whether the measure has no value to show or compare: not applicable, or a cost that
    nothing was divided by."""
    if is_not_applicable(name, values):
        return True
    divisor = COST_DIVISORS.get(name)
    return divisor is not None and not values.get(divisor)


def measure_in(name: str, values: Mapping[str, Any]) -> str:
    """The measure ``name`` of a row of measures: "n/a" for clicks where there are none, a dash
    for a cost nothing was divided by."""
    if is_not_applicable(name, values):
        return NOT_APPLICABLE
    if is_undefined(name, values):
        return UNDEFINED
    return measure_value(name, values.get(name))


@dataclass(frozen=True)
class ChangeText:
    """A change between two periods, ready for a KPI card.

    ``text`` is what people read (``+12.50%``, ``-0.04 pts``, ``new``); ``trend`` is up, down or
    flat; ``tone`` says whether that is good, bad or neutral for the client, for the colour.
    """

    text: str
    trend: str
    tone: str


def change_text(name: str, change: Change) -> ChangeText:
    """How a measure moved, in words: percent for amounts, points for rates (CTR, ROAS)."""
    measure = MEASURES_BY_NAME[name]
    absolute = Decimal(change.absolute)
    trend = "up" if absolute > 0 else "down" if absolute < 0 else "flat"
    if measure.kind is Kind.PERCENT:
        text = f"{'+' if absolute > 0 else ''}{to_display(absolute):,.2f} pts"
    elif change.percent is None:
        # The previous period had none: there is no percentage to give.
        text = "new" if absolute > 0 else "no change"
    else:
        text = f"{'+' if change.percent > 0 else ''}{to_display(change.percent):,.2f}%"
    if trend == "flat" or measure.direction is Direction.NEUTRAL:
        tone = "neutral"
    elif (trend == "up") == (measure.direction is Direction.UP_IS_GOOD):
        tone = "good"
    else:
        tone = "bad"
    return ChangeText(text=text, trend=trend, tone=tone)


def day_spans(days: list[dt.date]) -> list[str]:
    """Consecutive days written as one span: ``Nov 1-3``, ``Nov 30-Dec 2``, ``Nov 7`` (with an
    en dash, as typeset dates are)."""
    spans: list[str] = []
    ordered = sorted(days)
    start = end = None
    for day in [*ordered, None]:
        if day is not None and end is not None and day == end + ONE_DAY:
            end = day
            continue
        if start is not None and end is not None:
            spans.append(_span(start, end))
        start = end = day
    return spans


def _span(start: dt.date, end: dt.date) -> str:
    first = f"{start:%b} {start.day}"
    if start == end:
        return first
    if (start.year, start.month) == (end.year, end.month):
        return f"{first}{EN_DASH}{end.day}"
    return f"{first}{EN_DASH}{end:%b} {end.day}"
