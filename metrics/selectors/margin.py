"""The agency's margin: spend billed at the client's CPM against the cost the platform reported
(``source_spend``), per client, source and month. Admins only; clients never see costs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from clients.models import Client
from metrics.formulas import ZERO, margin, margin_rate
from metrics.models import CampaignDayRollup


@dataclass(frozen=True)
class MarginRow:
    """Billed spend and platform cost of one slice.

    Platform cost is not always reported (a source or a file without a cost column), so the
    margin compares cost only with the spend billed on the same campaign-days: ``billed`` is all
    billed spend, ``billed_with_cost`` the part whose cost is known.
    """

    client_id: int
    client_name: str
    source: str
    month: dt.date | None
    billed: Decimal
    billed_with_cost: Decimal
    cost: Decimal | None
    campaign_days: int
    campaign_days_without_cost: int

    @property
    def has_cost(self) -> bool:
        return self.cost is not None

    @property
    def margin(self) -> Decimal | None:
        return margin(self.billed_with_cost, self.cost) if self.cost is not None else None

    @property
    def margin_rate(self) -> Decimal | None:
        if self.cost is None:
            return None
        return margin_rate(self.billed_with_cost, self.cost)


def margin_by_month(
    *,
    clients: QuerySet[Client],
    start: dt.date,
    end: dt.date,
    source: str | None = None,
) -> list[MarginRow]:
    """One row per client, source and month with delivery in [start, end] (one query, on the
    campaign rollups)."""
    rollups = CampaignDayRollup.objects.filter(client__in=clients, date__gte=start, date__lte=end)
    if source:
        rollups = rollups.filter(source=source)
    with_cost = Q(source_spend__isnull=False)
    rows = (
        rollups.annotate(month=TruncMonth("date"))
        .values("client_id", "client__name", "source", "month")
        .annotate(
            billed=Sum("spend"),
            billed_with_cost=Sum("spend", filter=with_cost),
            cost=Sum("source_spend"),
            campaign_days=Count("id"),
            campaign_days_without_cost=Count("id", filter=~with_cost),
        )
        .order_by("client__name", "client_id", "source", "month")
    )
    return [
        MarginRow(
            client_id=row["client_id"],
            client_name=row["client__name"],
            source=row["source"],
            month=row["month"],
            billed=row["billed"] or ZERO,
            billed_with_cost=row["billed_with_cost"] or ZERO,
            cost=row["cost"],
            campaign_days=row["campaign_days"],
            campaign_days_without_cost=row["campaign_days_without_cost"],
        )
        for row in rows
    ]


def margin_total(rows: list[MarginRow], *, client_id: int = 0, name: str = "") -> MarginRow:
    """The sum of ``rows`` as one row (sums first, then the rates of the sums)."""
    costs = [row.cost for row in rows if row.cost is not None]
    return MarginRow(
        client_id=client_id,
        client_name=name,
        source="",
        month=None,
        billed=sum((row.billed for row in rows), ZERO),
        billed_with_cost=sum((row.billed_with_cost for row in rows), ZERO),
        cost=sum(costs, ZERO) if costs else None,
        campaign_days=sum(row.campaign_days for row in rows),
        campaign_days_without_cost=sum(row.campaign_days_without_cost for row in rows),
    )
