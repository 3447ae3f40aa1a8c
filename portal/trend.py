"""The daily trend of a page: the chart the PDF draws (``reports.charts``), sized for the screen,
and the same days as a table for people who do not read charts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from metrics.formulas import Totals
from metrics.periods import DateRange, Granularity
from metrics.selectors.series import series
from reports.charts import trend_chart_svg

# A wide chart for screens and a narrow one for phones (the page shows one of them): drawn at the
# size it is shown, its labels stay readable instead of being scaled down.
WIDE = (1100, 280)
NARROW = (360, 240)


@dataclass(frozen=True)
class Trend:
    wide_svg: str
    narrow_svg: str
    days: list[tuple[dt.date, Totals]]

    @property
    def has_data(self) -> bool:
        return any(totals.impressions or totals.spend for _, totals in self.days)


def daily_totals(metric_rows: QuerySet[Any], date_range: DateRange) -> list[tuple[dt.date, Totals]]:
    """Every day of the range with its totals (zeros where nothing ran), in one query."""
    return [
        (day.start, totals)
        for day, totals in series(metric_rows, date_range=date_range, granularity=Granularity.DAY)
    ]


def trend(days: list[tuple[dt.date, Totals]]) -> Trend:
    """Impressions as bars and spend as a line, as in the PDF report."""
    return Trend(
        wide_svg=trend_chart_svg(days, width=WIDE[0], height=WIDE[1]),
        narrow_svg=trend_chart_svg(days, width=NARROW[0], height=NARROW[1]),
        days=days,
    )
