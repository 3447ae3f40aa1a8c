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

ONE_DAY = dt.timedelta(days=1)
# The longest range one request may ask for: a year, leap day included.
MAX_RANGE_DAYS = 366
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
