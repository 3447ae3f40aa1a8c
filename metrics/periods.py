"""Date ranges and reporting periods: the calendar arithmetic every dashboard read shares.

Ranges are inclusive on both ends (a range of one day has ``start == end``). Weeks run Monday to
Sunday, as the weekly summaries do; months are calendar months. Periods at the edges of a range
are clipped to it, so a period's totals never include a day outside the range asked for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError

from core.validators import validate_business_date

ONE_DAY = dt.timedelta(days=1)
# Without dates a dashboard shows the 30 days that end yesterday.
DEFAULT_RANGE_DAYS = 30


class Granularity(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class DateRange:
    """The days from ``start`` to ``end``, both included."""

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError(f"a range cannot start ({self.start}) after it ends ({self.end})")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> DateRange:
        """The range of equal length that ends the day before this one starts."""
        end = self.start - ONE_DAY
        return DateRange(end - dt.timedelta(days=self.days - 1), end)

    def each_day(self) -> Iterator[dt.date]:
        for offset in range(self.days):
            yield self.start + dt.timedelta(days=offset)

    def as_dict(self) -> dict[str, dt.date]:
        return {"start_date": self.start, "end_date": self.end}


def default_end(today: dt.date) -> dt.date:
    """Yesterday: today's delivery is not in yet."""
    return today - ONE_DAY


def default_start(end: dt.date) -> dt.date:
    return end - dt.timedelta(days=DEFAULT_RANGE_DAYS - 1)


DATE_FORMAT_MESSAGE = "Use a date like 2025-03-01 (YYYY-MM-DD)."


class RangeError(ValueError):
    """A requested range that no page or API call serves; ``str(error)`` says what to change."""


def detail_kept_from() -> dt.date | None:
    """The first day whose detail is still stored (None: nothing archived yet)."""
    from metrics.partitions import detail_kept_from as kept_from  # models: not at import time

    return kept_from()


def day_text(day: dt.date) -> str:
    """``Mar 1, 2025``: a day as the messages about ranges write it."""
    return f"{day:%b} {day.day}, {day.year}"


def detail_window_start(today: dt.date) -> dt.date:
    """The first day of the detail window (SPEC 5: 13 months): the first day of the month
    ``RETENTION_DAILY_METRICS_MONTHS`` before ``today``'s. Retention archives only months before
    it, so a range that starts on or after it needs no look at what was archived."""
    month_index = today.year * 12 + (today.month - 1) - settings.RETENTION_DAILY_METRICS_MONTHS
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


def detail_archived_message(kept_from: dt.date) -> str:
    """What a page or an API call says about days whose detail retention has archived."""
    return (
        f"Detail before {kept_from:%b %Y} is archived; totals and campaigns come from the daily "
        "rollups."
    )


def requested_range(
    start: dt.date | None, end: dt.date | None, *, today: dt.date, detail: bool = False
) -> DateRange:
    """The range a page or an API call asks for, by the one rule both follow: a missing end is
    yesterday, a missing start makes the default 30 days; a range that runs backwards is refused
    with what to change, and so is a date outside the window every other date of the product
    keeps to (2000-01-01 to a year ahead). Any length is served from the rollups and summaries
    (kept forever); an output that reads ``detail`` (lists below campaigns, detail exports) is
    refused for days whose month retention has archived (the 13 months of SPEC 5 are kept), with
    ``detail_archived_message``."""
    for day in (start, end):
        if day is not None:
            try:
                validate_business_date(day)
            except ValidationError as error:
                raise RangeError(error.messages[0]) from None
    last = end or default_end(today)
    first = start or default_start(last)
    if first > last:
        defaulted = "" if end else " (yesterday, the default end)"
        raise RangeError(
            f"The range starts on {day_text(first)}, after it ends on {day_text(last)}"
            f"{defaulted}: choose a start on or before the end."
        )
    kept_from = detail_kept_from() if detail and first < detail_window_start(today) else None
    if kept_from is not None and first < kept_from:
        raise RangeError(
            f"{detail_archived_message(kept_from)} Choose a start on or after "
            f"{day_text(kept_from)} for this view."
        )
    return DateRange(first, last)


def period_start(day: dt.date, granularity: Granularity) -> dt.date:
    """The first day of the (unclipped) period that contains ``day``."""
    if granularity is Granularity.WEEK:
        return day - dt.timedelta(days=day.weekday())
    if granularity is Granularity.MONTH:
        return day.replace(day=1)
    return day


def _next_period_start(start: dt.date, granularity: Granularity) -> dt.date:
    if granularity is Granularity.WEEK:
        return start + dt.timedelta(days=7)
    if granularity is Granularity.MONTH:
        return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start + ONE_DAY


def periods(date_range: DateRange, granularity: Granularity) -> list[DateRange]:
    """Every period that overlaps ``date_range``, in order, each clipped to the range."""
    result: list[DateRange] = []
    start = period_start(date_range.start, granularity)
    while start <= date_range.end:
        following = _next_period_start(start, granularity)
        result.append(
            DateRange(max(start, date_range.start), min(following - ONE_DAY, date_range.end))
        )
        start = following
    return result
