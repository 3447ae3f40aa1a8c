import datetime as dt
from decimal import Decimal

import factory

from campaigns.tests.factories import CreativeFactory
from metrics.models import DailyMetric


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
