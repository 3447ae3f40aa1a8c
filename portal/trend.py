"""The daily trend of a page: the chart the PDF draws (``reports.charts``), sized for the screen,
and the same days as a table for people who do not read charts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from core.chart_markers import ChartMarker
from metrics.formulas import Totals
from metrics.periods import DateRange, Granularity
from metrics.selectors.series import series
from reports.charts import (
    DEFAULT_CHART,
    trend_chart_svg,
)

# A wide chart for screens and a narrow one for phones (the page shows one of them): drawn at the
# size it is shown, its labels stay readable instead of being scaled down.
WIDE = (1100, 280)
NARROW = (360, 260)


@dataclass(frozen=True)
class Trend:
    wide_svg: str
    narrow_svg: str
    days: list[tuple[dt.date, Totals]]
    measures: tuple[str, ...] = DEFAULT_CHART
    # Annotations drawn on the chart, listed again under its table.
    markers: tuple[ChartMarker, ...] = ()

    @property
    def has_data(self) -> bool:
        return any(totals.impressions or totals.spend for _, totals in self.days)


def daily_totals(metric_rows: QuerySet[Any], date_range: DateRange) -> list[tuple[dt.date, Totals]]:
    """Every day of the range with its totals (zeros where nothing ran), in one query."""
    return [
        (day.start, totals)
        for day, totals in series(metric_rows, date_range=date_range, granularity=Granularity.DAY)
    ]


def trend(
    days: list[tuple[dt.date, Totals]],
    *,
    measures: tuple[str, ...] = DEFAULT_CHART,
    gaps: dict[dt.date, str] | None = None,
    markers: list[ChartMarker] | None = None,
) -> Trend:
    """The chosen measures per day (bars, and a line for a second one), days without data as
    gaps with their reason, annotations as markers: the same chart as the PDF report's."""
    shown = tuple(markers or ())
    return Trend(
        wide_svg=trend_chart_svg(
            days, width=WIDE[0], height=WIDE[1], measures=measures, gaps=gaps, markers=shown
        ),
        narrow_svg=trend_chart_svg(
            days, width=NARROW[0], height=NARROW[1], measures=measures, gaps=gaps, markers=shown
        ),
        days=days,
        measures=measures,
        markers=shown,
    )
