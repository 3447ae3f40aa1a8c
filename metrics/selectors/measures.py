"""The building blocks of every metrics read: summed base measures and totals over rollups."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from clients.models import Client
from metrics.clicks import click_sources
from metrics.formulas import BASE_MEASURES, Totals
from metrics.models import CampaignDayRollup

_ZERO_MONEY = Value(Decimal(0), output_field=DecimalField(max_digits=38, decimal_places=6))


def summed_measures(*, prefix: str = "", where: Q | None = None) -> dict[str, Coalesce]:
    """Aggregate expressions for the base measures (zero, not NULL, over no rows).

    ``prefix`` names them apart from the model's own columns (``annotate`` refuses a name that is
    also a field) and from each other (two periods summed in one query); ``where`` restricts
    which rows each sum counts.
    """
    clicking = click_sources() if where is None else where & click_sources()
    return {
        # What CTR and CPC are made of: the clicks, impressions and spend of the sources that
        # report clicks.
        # First: without a prefix, a later "impressions" would name the sum above, not the field.
        f"{prefix}click_clicks": Coalesce(Sum("clicks", filter=clicking), 0),
        f"{prefix}click_impressions": Coalesce(Sum("impressions", filter=clicking), 0),
        f"{prefix}click_spend": Coalesce(Sum("spend", filter=clicking), _ZERO_MONEY),
        f"{prefix}impressions": Coalesce(Sum("impressions", filter=where), 0),
        f"{prefix}clicks": Coalesce(Sum("clicks", filter=where), 0),
        f"{prefix}conversions": Coalesce(Sum("conversions", filter=where), 0),
        f"{prefix}conversion_revenue": Coalesce(
            Sum("conversion_revenue", filter=where), _ZERO_MONEY
        ),
        f"{prefix}spend": Coalesce(Sum("spend", filter=where), _ZERO_MONEY),
    }


def totals_from_row(row: Mapping[str, Any], *, prefix: str = "") -> Totals:
    """The ``Totals`` of a row produced with ``summed_measures(prefix=prefix)``."""
    return Totals(
        **{measure: row[f"{prefix}{measure}"] for measure in BASE_MEASURES},
        click_clicks=row.get(f"{prefix}click_clicks"),
        click_impressions=row.get(f"{prefix}click_impressions"),
        click_spend=row.get(f"{prefix}click_spend"),
    )


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
    return totals_from_row(sums)
