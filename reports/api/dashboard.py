"""``dashboard/summary`` and ``dashboard/overview``: the figures of a dashboard's first screen."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from campaigns.models import Source
from clients.models import Client
from ingestion.availability import (
    REASON_NOT_YET_PULLED,
    STATUS_OK,
    freshness,
    no_data_reasons,
)
from metrics.comparison import ComparisonMode
from metrics.formulas import Totals
from metrics.periods import DateRange, Granularity
from metrics.repricing import repricing_pending
from metrics.selectors.comparison import comparison
from metrics.selectors.measures import rollups_in_range
from metrics.selectors.series import totals_per_period
from metrics.selectors.summary import totals_by_source
from reports.api import examples
from reports.api.base import MetricsReadView
from reports.api.outputs import OverviewOutput, SummaryOutput, summary_data
from reports.api.params import ComparedDashboardParams

NUMBERS_NOTE = (
    "Counts are integers; money and rates (ctr and roas in percent) are decimal strings with 6 "
    "places. Rates and costs are ratios of the range's sums, never averages of daily ratios."
)
SUMMARY_DESCRIPTION = (
    "Totals of the range for the clients in scope, the same measures for the period chosen by "
    "`comparison` (default: the same number of days just before; month to date: the same days "
    "of the previous month), and the change of each measure: absolute, and in percent of the "
    "previous value (null when that was 0). ctr and roas change in percentage points: their "
    "percent change is always null. Changes are like for like: days pair by their offset in the "
    "period, and per source only the pairs where both days have that source's data count; a "
    "source with fewer than half of the range's days paired is not comparable and is left out "
    "of the change, its reason in `comparison.sources` and `comparison.left_out` (e.g. "
    '"Facebook: 1 of 7 days uploaded"). `change` is null when nothing is comparable or with '
    f"comparison=none. {NUMBERS_NOTE} Without dates: the 30 days that end yesterday "
    "(America/New_York); any length is served from the daily rollups (kept forever). A bad "
    "date, a start after the end or an unknown comparison is a 400."
)


def compared_summary(
    clients: QuerySet[Client], date_range: DateRange, source: str | None, mode: ComparisonMode
) -> dict[str, Any]:
    """The summary's data: totals, the comparison period's totals and the like-for-like change."""
    compared = comparison(clients=clients, date_range=date_range, mode=mode, source=source)
    return summary_data(compared.total, compared.compared_total, date_range, compared)


class DashboardSummaryView(MetricsReadView):
    """KPI totals of a range, with the previous period and the change."""

    @extend_schema(
        parameters=[ComparedDashboardParams, examples.comparison_parameter()],
        responses={200: SummaryOutput},
        examples=examples.summary(),
        description=SUMMARY_DESCRIPTION,
        tags=["dashboard"],
    )
    def get(self, request: Request) -> Response:
        params = self.read_params(ComparedDashboardParams)
        data = compared_summary(
            self.clients, params["date_range"], params.get("source"), params["comparison"]
        )
        data["repricing"] = repricing_pending(clients=self.clients)
        return Response(SummaryOutput(data).data)


class DashboardOverviewView(MetricsReadView):
    """Everything the dashboard's first screen shows, in one request and a fixed few queries."""

    @extend_schema(
        parameters=[ComparedDashboardParams, examples.comparison_parameter()],
        responses={200: OverviewOutput},
        examples=[examples.overview()],
        description=(
            "The summary (as in dashboard/summary) plus: `daily`, every day of the range with its "
            'totals and a `status` ("ok" when the day has data; otherwise why not, from the '
            'ingestion runs of the clients in scope: "no data: file not delivered", "no data: '
            'ingestion failed" or "no data: not yet pulled"); `freshness` per source (when a run '
            "last loaded data, and the latest day loaded); `by_source`, the range's totals per "
            f"source. {NUMBERS_NOTE}"
        ),
        tags=["dashboard"],
    )
    def get(self, request: Request) -> Response:
        params = self.read_params(ComparedDashboardParams)
        date_range: DateRange = params["date_range"]
        source: str | None = params.get("source")
        sources = [source] if source else list(Source.values)
        by_source = totals_by_source(clients=self.clients, date_range=date_range, source=source)
        data = {
            **compared_summary(self.clients, date_range, source, params["comparison"]),
            "repricing": repricing_pending(clients=self.clients),
            "daily": self._daily(date_range, source),
            # The source asked for, or the clients' own (a connection or data): SPEC 9 "Whole".
            "freshness": [
                asdict(fresh)
                for fresh in freshness(clients=self.clients, sources=sources)
                if fresh.in_use or source
            ],
            "by_source": [
                {"source": name, **by_source.get(name, Totals()).as_dict()} for name in sources
            ],
        }
        return Response(OverviewOutput(data).data)

    def _daily(self, date_range: DateRange, source: str | None) -> list[dict[str, Any]]:
        rollups = rollups_in_range(
            clients=self.clients, start=date_range.start, end=date_range.end, source=source
        )
        delivered = totals_per_period(rollups, Granularity.DAY)
        reasons = no_data_reasons(clients=self.clients, date_range=date_range, source=source)
        return [
            {
                "date": day,
                **delivered.get(day, Totals()).as_dict(),
                "status": STATUS_OK
                if day in delivered
                else reasons.get(day, REASON_NOT_YET_PULLED),
            }
            for day in date_range.each_day()
        ]
