"""The daily trend of a page: the chart the PDF draws (``reports.charts``), sized for the screen,
and the same days as a table for people who do not read charts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from core.chart_markers import ChartMarker
from metrics.formatting import measure_in
from metrics.formulas import Totals
from metrics.periods import DateRange, Granularity
from metrics.selectors.series import series
from reports.charts import (
    DEFAULT_CHART,
    MEASURE_LABELS,
    trend_chart_svg,
)

# A wide chart for screens and a narrow one for phones (the page shows one of them): drawn at the
# size it is shown, its labels stay readable instead of being scaled down.
WIDE = (1100, 280)
NARROW = (360, 260)


@dataclass(frozen=True)
class ComparedDay:
    """A row of the chart's table: the day, its totals, and its partner in the comparison."""

    day: dt.date
    totals: Totals
    compared_day: dt.date | None = None
    # The bars' measure on the compared day, written for people ("1,000", "$12.50", "n/a").
    compared_text: str = ""


@dataclass(frozen=True)
class Trend:
    wide_svg: str
    narrow_svg: str
    days: list[tuple[dt.date, Totals]]
    measures: tuple[str, ...] = DEFAULT_CHART
    # Annotations drawn on the chart, listed again under its table.
    markers: tuple[ChartMarker, ...] = ()
    comparison_days: list[tuple[dt.date, Totals]] = field(default_factory=list)
    comparison_label: str = ""

    @property
    def rows(self) -> list[ComparedDay]:
        """Each day with its partner by offset (none past the end of a shorter comparison)."""
        partners: list[tuple[dt.date | None, Totals | None]] = list(self.comparison_days)
        partners += [(None, None)] * (len(self.days) - len(partners))
        measure = self.measures[0]
        return [
            ComparedDay(
                day,
                totals,
                compared_day,
                measure_in(measure, compared.as_dict()) if compared is not None else "",
            )
            for (day, totals), (compared_day, compared) in zip(self.days, partners, strict=False)
        ]

    @property
    def compared_measure(self) -> str:
        """The measure the comparison draws (the bars'), for the table's heading."""
        return MEASURE_LABELS[self.measures[0]]

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
    comparison_days: list[tuple[dt.date, Totals]] | None = None,
    comparison_label: str = "",
) -> Trend:
    """The chosen measures per day (bars, and a line for a second one), days without data as
    gaps with their reason, annotations as markers: the same chart as the PDF report's.
    ``comparison_days`` (the compared period, paired by offset) draw the bars' measure again as
    a dashed line."""
    compared = comparison_days or []
    shown = tuple(markers or ())

    def svg(size: tuple[int, int]) -> str:
        return trend_chart_svg(
            days,
            width=size[0],
            height=size[1],
            measures=measures,
            gaps=gaps,
            markers=shown,
            comparison=compared,
            comparison_label=comparison_label,
        )

    return Trend(
        wide_svg=svg(WIDE),
        narrow_svg=svg(NARROW),
        days=days,
        measures=measures,
        markers=shown,
        comparison_days=compared,
        comparison_label=comparison_label if compared else "",
    )
