import datetime as dt
from decimal import Decimal

import factory

from campaigns.tests.factories import CreativeFactory
from clients.models import CpmRate
from metrics.models import DailyMetric
from metrics.rollups import rollups_refresh


class DailyMetricFactory(factory.django.DjangoModelFactory):
    """A metric row for ``creative``; client, source and parents follow the creative."""

    class Meta:
        model = DailyMetric
        skip_postgeneration_save = True

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

    @factory.post_generation
    def spend(obj, create, extracted, **kwargs):
        """Spend is derived (impressions / 1000 x the CPM of the day), never stored: a test
        may still state the spend it expects, and the row must agree with it."""
        if extracted is None:
            return
        cpm = (
            CpmRate.objects.filter(client_id=obj.client_id, effective_date__lte=obj.date)
            .order_by("-effective_date")
            .values_list("cpm", flat=True)
            .first()
        )
        derived = Decimal(obj.impressions) * (cpm or 0) / 1000
        assert derived == Decimal(extracted), f"{obj}: spend {extracted}, but derived {derived}"


def rollups_built(*rows: DailyMetric) -> None:
    """Build the rollups of the rows' clients from their first day on, as the loader does."""
    for client_id in {row.client_id for row in rows}:
        first_day = min(row.date for row in rows if row.client_id == client_id)
        rollups_refresh(client_id=client_id, date_from=first_day, date_to=None)
