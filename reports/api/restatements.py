"""``restatements``: what changed in the closed weeks and months of a range, and why (SPEC 9)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import examples as ex
from metrics.models import Restatement
from metrics.periods import DateRange
from metrics.selectors.restatements import restatements_in_range
from reports.api.base import MetricsReadView
from reports.api.params import DashboardParams

RESTATEMENT_EXAMPLE = {
    "id": 41,
    "client_id": 1,
    "source": "surfside",
    "period_type": "week",
    "period_start": "2025-11-03",
    "period_end": "2025-11-09",
    "measure": "spend",
    "before": "4175.940000",
    "after": "4677.050000",
    "difference": "501.110000",
    "reason": "CPM from $12.50 to $14.00 from Nov 1",
    "at": "2025-12-03T14:02:11.201455-05:00",
}


class RestatementOutput(serializers.ModelSerializer):
    difference = serializers.DecimalField(max_digits=19, decimal_places=6)

    class Meta:
        model = Restatement
        fields = [
            "id",
            "client_id",
            "source",
            "period_type",
            "period_start",
            "period_end",
            "measure",
            "before",
            "after",
            "difference",
            "reason",
            "at",
        ]


class RestatementListView(MetricsReadView):
    """Restatements of the weeks and months that overlap the range, newest first."""

    @extend_schema(
        parameters=[DashboardParams],
        responses={200: RestatementOutput(many=True)},
        examples=[ex.response("A CPM change over a closed week", [RESTATEMENT_EXAMPLE])],
        description=(
            "A week (Monday-Sunday) or month is closed 7 days after it ends, or once a summary "
            "of it was sent. Each change to a closed period's figures afterwards is listed per "
            "client, source, period and measure (impressions, clicks, conversions, "
            "conversion_revenue, spend): the totals before and after, why, and when. Periods that "
            "overlap [start_date, end_date] are listed. Money is a decimal string with 6 places."
        ),
        tags=["dashboard"],
    )
    def get(self, request: Request) -> Response:
        params = self.read_params(DashboardParams)
        date_range: DateRange = params["date_range"]
        restatements = restatements_in_range(
            clients=self.clients,
            start=date_range.start,
            end=date_range.end,
            source=params.get("source"),
        )
        return Response(RestatementOutput(restatements, many=True).data)
