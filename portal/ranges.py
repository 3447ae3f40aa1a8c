"""The date range presets of the pages: last 7/30/90 days, month to date, last month.

Ranges end yesterday, like the API's default: today's delivery is not in yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from metrics.periods import ONE_DAY, DateRange, default_end


@dataclass(frozen=True)
class Preset:
    key: str
    label: str
    date_range: DateRange


def _last_days(end: dt.date, days: int) -> DateRange:
    return DateRange(end - dt.timedelta(days=days - 1), end)


def presets(today: dt.date) -> list[Preset]:
    """The presets as of ``today``, in the order the picker shows them."""
    end = default_end(today)
    first_of_month = today.replace(day=1)
    # On the 1st there is no finished day this month yet: month to date is today alone.
    month_to_date = DateRange(first_of_month, max(end, first_of_month))
    last_month_end = first_of_month - ONE_DAY
    return [
        Preset("last_7", "Last 7 days", _last_days(end, 7)),
        Preset("last_30", "Last 30 days", _last_days(end, 30)),
        Preset("last_90", "Last 90 days", _last_days(end, 90)),
        Preset("month_to_date", "Month to date", month_to_date),
        Preset(
            "last_month", "Last month", DateRange(last_month_end.replace(day=1), last_month_end)
        ),
    ]
