"""Delivery for the page tests: client A's campaign tree over the last days, and client B's."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.models import Source
from campaigns.tests.factories import (
    CampaignFactory,
    CreativeFactory,
    PlacementFactory,
    StrategyFactory,
)
from ingestion.models import RunStatus
from ingestion.tests.factories import IngestionRunFactory
from metrics.tests.factories import DailyMetricFactory, rollups_built


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def deliver(creative, day, impressions, clicks=0, conversions=0, revenue="0", spend="0"):
    return DailyMetricFactory(
        creative=creative,
        date=day,
        impressions=impressions,
        clicks=clicks,
        conversions=conversions,
        conversion_revenue=Decimal(revenue),
        spend=Decimal(spend),
    )


@pytest.fixture
def tree(client_a, client_b):
    """Client A: campaign "Spring Sale" (Surfside) with strategies Prospecting (one placement,
    two creatives) and Retargeting; campaign "Beach Days" (Vibe). 541,210 impressions in the
    last 30 days, and some in the 30 days before. Client B: "Borealis Winter" on the same days.
    Surfside's file for 3 days ago never came."""
    spring = CampaignFactory(client=client_a, name="Spring Sale", source=Source.SURFSIDE)
    beach = CampaignFactory(client=client_a, name="Beach Days", source=Source.VIBE)
    prospecting = StrategyFactory(campaign=spring, name="Prospecting")
    retargeting = StrategyFactory(campaign=spring, name="Retargeting")
    homepage = PlacementFactory(strategy=prospecting, name="Homepage")
    banner = CreativeFactory(placement=homepage, name="Banner", size="300x250")
    banner_wide = CreativeFactory(placement=homepage, name="Banner", size="728x90")
    retargeting_creative = CreativeFactory(placement__strategy=retargeting, name="Reminder")
    beach_creative = CreativeFactory(placement__strategy__campaign=beach, name="Waves")
    foreign = CreativeFactory(
        placement__strategy__campaign__client=client_b,
        placement__strategy__campaign__name="Borealis Winter",
    )
    rows = [
        deliver(banner, days_ago(1), 300_000, 600, 12, "1200.50", "4500"),
        deliver(banner_wide, days_ago(1), 41_210, 41, 1, "80", "618.15"),
        deliver(retargeting_creative, days_ago(2), 100_000, 400, 20, "2500", "1500"),
        deliver(beach_creative, days_ago(2), 100_000, 100, 0, "0", "1500"),
        # The previous period.
        deliver(banner, days_ago(40), 200_000, 200, 10, "1000", "3000"),
        deliver(foreign, days_ago(1), 777_777, 7, 7, "7", "7"),
    ]
    rollups_built(*rows)
    IngestionRunFactory(
        client=client_a,
        source=Source.SURFSIDE,
        status=RunStatus.MISSING_FILE,
        requested_date=days_ago(3),
    )
    return {
        "spring": spring,
        "beach": beach,
        "prospecting": prospecting,
        "retargeting": retargeting,
        "homepage": homepage,
        "banner": banner,
        "foreign": foreign,
    }
