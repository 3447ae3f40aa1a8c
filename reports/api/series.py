"""``metrics/daily``, ``metrics/weekly`` and ``metrics/monthly``: totals per period of a range."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from metrics.periods import DateRange, Granularity
from metrics.selectors.measures import rollups_in_range
from metrics.selectors.series import series
from reports.api import examples
from reports.api.base import MetricsReadView
from reports.api.dashboard import NUMBERS_NOTE
from reports.api.outputs import SeriesOutput
from reports.api.params import DashboardParams

F = TypeVar("F", bound=Callable[..., Any])

_PERIOD_TEXT = {
    Granularity.DAY: "day",
    Granularity.WEEK: "Monday-Sunday week",
    Granularity.MONTH: "calendar month",
}


def _schema(granularity: Granularity) -> Callable[[F], F]:
    return extend_schema(
        parameters=[DashboardParams],
        responses={200: SeriesOutput},
        examples=[examples.series(granularity)],
        description=(
            f"Totals per {_PERIOD_TEXT[granularity]} for the clients in scope: every period that "
            "overlaps the range, in order, with zeros where nothing ran. The first and last "
            "periods are clipped to the range (they count only its days). Each period's rates are "
            f"ratios of its sums. {NUMBERS_NOTE}"
        ),
        tags=["metrics"],
    )


class MetricsSeriesView(MetricsReadView):
    """Totals per period; subclasses name the period."""

    granularity: ClassVar[Granularity]

    def series_response(self) -> Response:
        params = self.read_params(DashboardParams)
        date_range: DateRange = params["date_range"]
        rollups = rollups_in_range(
            clients=self.clients,
            start=date_range.start,
            end=date_range.end,
            source=params.get("source"),
        )
        rows = series(rollups, date_range=date_range, granularity=self.granularity)
        data = {
            "granularity": self.granularity.value,
            "date_range": date_range.as_dict(),
            "series": [
                {"period_start": period.start, "period_end": period.end, **totals.as_dict()}
                for period, totals in rows
            ],
        }
        return Response(SeriesOutput(data).data)


class DailyMetricsView(MetricsSeriesView):
    granularity = Granularity.DAY

    @_schema(Granularity.DAY)
    def get(self, request: Request) -> Response:
        return self.series_response()


class WeeklyMetricsView(MetricsSeriesView):
    granularity = Granularity.WEEK

    @_schema(Granularity.WEEK)
    def get(self, request: Request) -> Response:
        return self.series_response()


class MonthlyMetricsView(MetricsSeriesView):
    granularity = Granularity.MONTH

    @_schema(Granularity.MONTH)
    def get(self, request: Request) -> Response:
        return self.series_response()
