"""Reads of metrics, always given the clients in scope explicitly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from clients.models import Client
from metrics.formulas import Totals
from metrics.models import CampaignDayRollup

_ZERO_MONEY = Value(Decimal(0), output_field=DecimalField(max_digits=38, decimal_places=6))


def summed_measures() -> dict[str, Coalesce]:
    """Aggregate expressions for the base measures (zero, not NULL, over no rows)."""
    return {
        "impressions": Coalesce(Sum("impressions"), 0),
        "clicks": Coalesce(Sum("clicks"), 0),
        "conversions": Coalesce(Sum("conversions"), 0),
        "conversion_revenue": Coalesce(Sum("conversion_revenue"), _ZERO_MONEY),
        "spend": Coalesce(Sum("spend"), _ZERO_MONEY),
    }


def rollups_in_range(
    *, clients: QuerySet[Client], start: dt.date, end: dt.date, source: str | None = None
) -> QuerySet[CampaignDayRollup]:
    rollups = CampaignDayRollup.objects.filter(client__in=clients, date__gte=start, date__lte=end)
    if source:
        rollups = rollups.filter(source=source)
    return rollups


def totals(
    *, clients: QuerySet[Client], start: dt.date, end: dt.date, source: str | None = None
) -> Totals:
    """Summed measures (and their derived rates) for the clients over [start, end]."""
    sums = rollups_in_range(clients=clients, start=start, end=end, source=source).aggregate(
        **summed_measures()
    )
    return Totals(**sums)
