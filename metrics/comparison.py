"""What a period is compared with (SPEC 9 "Comparable"): the rules, as pure functions.

A comparison is chosen (``previous``, the default; ``last_year``; ``none``). ``previous`` is the
equally long period just before, except month to date (a range from the 1st that ends inside that
month), which compares with the same days of the previous month, clamped to that month's end, and
a whole month, which compares with the whole previous month. ``last_year`` is the same calendar
dates a year earlier (Feb 29 -> Feb 28).

Days pair by their offset in the period: the n-th day of the range with the n-th day of the
comparison range; a day past the end of the shorter range has no partner. Whether a pair counts
(both days have the source's data) is read from the rollups by ``metrics.selectors.comparison``.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from metrics.formatting import EN_DASH
from metrics.periods import ONE_DAY, DateRange


class ComparisonMode(StrEnum):
    PREVIOUS = "previous"
    LAST_YEAR = "last_year"
    NONE = "none"


DEFAULT_COMPARISON = ComparisonMode.PREVIOUS
COMPARISON_CHOICES = (
    (ComparisonMode.PREVIOUS.value, "Previous period"),
    (ComparisonMode.LAST_YEAR.value, "Same period last year"),
    (ComparisonMode.NONE.value, "No comparison"),
)
COMPARISON_VALUES_TEXT = ", ".join(mode.value for mode in ComparisonMode)
COMPARISON_HELP = (
    "What changes compare with: previous (default; the same number of days just before; month to "
    "date compares with the same days of the previous month, a whole month with the previous "
    "month), last_year (the same calendar dates a year earlier; Feb 29 -> Feb 28) or none."
)


def comparison_error(value: object) -> str:
    return f'"{value}" is not a comparison; use {COMPARISON_VALUES_TEXT}.'


def year_earlier(day: dt.date) -> dt.date:
    """The same calendar date a year earlier; Feb 29 becomes Feb 28."""
    if day.month == 2 and day.day == 29:
        return day.replace(year=day.year - 1, day=28)
    return day.replace(year=day.year - 1)


def _month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - ONE_DAY


def comparison_range(date_range: DateRange, mode: ComparisonMode) -> DateRange | None:
    """The days ``date_range`` is compared with; None for ``none``."""
    if mode is ComparisonMode.NONE:
        return None
    if mode is ComparisonMode.LAST_YEAR:
        return DateRange(year_earlier(date_range.start), year_earlier(date_range.end))
    start, end = date_range.start, date_range.end
    if start.day == 1 and (start.year, start.month) == (end.year, end.month):
        last_month_end = start - ONE_DAY
        first = last_month_end.replace(day=1)
        if end == _month_end(end):
            return DateRange(first, last_month_end)
        return DateRange(first, first.replace(day=min(end.day, last_month_end.day)))
    return date_range.previous()


def pair_shift(date_range: DateRange, compared: DateRange) -> dt.timedelta:
    """How far back a day's partner lies: day - shift is its partner, when that is in range."""
    return date_range.start - compared.start


def day_pairs(date_range: DateRange, compared: DateRange) -> list[tuple[dt.date, dt.date]]:
    """(day, its partner) by offset, for as many days as the shorter range has."""
    shift = pair_shift(date_range, compared)
    count = min(date_range.days, compared.days)
    days = [date_range.start + dt.timedelta(days=offset) for offset in range(count)]
    return [(day, day - shift) for day in days]


def enough_pairs(paired_days: int, days: int) -> bool:
    """Comparable when at least half of the period's days pair."""
    return paired_days * 2 >= days


def range_text(date_range: DateRange, *, with_year: bool = False) -> str:
    """``Oct 1-29``, ``Oct 28-Nov 3``, ``Dec 28, 2024-Jan 3, 2025`` (years when the range crosses
    one, or when asked), ``Oct 7`` for a single day; with an en dash."""
    start, end = date_range.start, date_range.end
    crosses_year = start.year != end.year
    first = f"{start:%b} {start.day}" + (f", {start.year}" if crosses_year else "")
    year = f", {end.year}" if with_year or crosses_year else ""
    if start == end:
        return f"{first}{year}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{first}{EN_DASH}{end.day}{year}"
    return f"{first}{EN_DASH}{end:%b} {end.day}{year}"


def comparison_label(date_range: DateRange, mode: ComparisonMode) -> str:
    """What the comparison period is, in words: "the 7 days before", "the same days of October",
    "October", "the same dates a year earlier"; "" for ``none``."""
    compared = comparison_range(date_range, mode)
    if compared is None:
        return ""
    if mode is ComparisonMode.LAST_YEAR:
        return "the same dates a year earlier"
    if compared == date_range.previous():
        return f"the {date_range.days} day{'s' if date_range.days != 1 else ''} before"
    month = f"{compared.start:%B}"
    if compared.end == _month_end(compared.end) and date_range.end == _month_end(date_range.end):
        return month
    return f"the same days of {month}"
