"""Totals per day, week or month over a range, with every period present."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, QuerySet
from django.db.models.expressions import Combinable
from django.db.models.functions import TruncMonth, TruncWeek

from metrics.formulas import Totals
from metrics.periods import DateRange, Granularity, period_start, periods
from metrics.selectors.measures import summed_measures, totals_from_row

_TOTAL = "total_"


def _period_of_row(granularity: Granularity) -> Combinable:
    """The start of the period a metric row's date falls in, as SQL."""
    if granularity is Granularity.WEEK:
        # PostgreSQL's date_trunc('week') starts weeks on Monday, as ``period_start`` does.
        return TruncWeek("date")
    if granularity is Granularity.MONTH:
        return TruncMonth("date")
    return F("date")


def totals_per_period(
    metric_rows: QuerySet[Any], granularity: Granularity
) -> dict[dt.date, Totals]:
    """``metric_rows`` (daily metrics or rollups, already filtered) summed per period start.

    Only periods with rows are present; ``series`` fills the gaps.
    """
    rows = (
        metric_rows.annotate(period=_period_of_row(granularity))
        .values("period")
        .annotate(**summed_measures(prefix=_TOTAL))
        .order_by()
    )
    return {row["period"]: totals_from_row(row, prefix=_TOTAL) for row in rows}


def series(
    metric_rows: QuerySet[Any], *, date_range: DateRange, granularity: Granularity
) -> list[tuple[DateRange, Totals]]:
    """Every period of ``date_range`` (clipped to it) with its totals, zeros where nothing ran.

    ``metric_rows`` must already be limited to ``date_range``: a clipped week then sums only the
    days inside the range.
    """
    found = totals_per_period(metric_rows, granularity)
    return [
        (period, found.get(period_start(period.start, granularity), Totals()))
        for period in periods(date_range, granularity)
    ]
