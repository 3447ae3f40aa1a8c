import datetime as dt
from decimal import Decimal

import factory

from campaigns.tests.factories import CreativeFactory
from metrics.models import DailyMetric
from metrics.rollups import rollups_refresh


class DailyMetricFactory(factory.django.DjangoModelFactory):
    """A metric row for ``creative``; client, source and parents follow the creative."""

    class Meta:
        model = DailyMetric

    creative = factory.SubFactory(CreativeFactory)
    placement = factory.LazyAttribute(lambda m: m.creative.placement)
    strategy = factory.LazyAttribute(lambda m: m.placement.strategy)
    campaign = factory.LazyAttribute(lambda m: m.strategy.campaign)
    client = factory.LazyAttribute(lambda m: m.campaign.client)
    source = factory.LazyAttribute(lambda m: m.campaign.source)
    date = dt.date(2025, 11, 3)
    impressions = 10_000
    clicks = 20
    conversions = 2
    conversion_revenue = Decimal("300")
    spend = Decimal("150")


def rollups_built(*rows: DailyMetric) -> None:
    """Build the rollups of the rows' clients from their first day on, as the loader does."""
    for client_id in {row.client_id for row in rows}:
        first_day = min(row.date for row in rows if row.client_id == client_id)
        rollups_refresh(client_id=client_id, date_from=first_day, date_to=None)
