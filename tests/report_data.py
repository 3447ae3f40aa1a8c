"""Known delivery for the reports tests, with every figure computed by hand: a fixed week for
summaries, reports and exports, and the last days for the pages (client A's campaign tree, with
client B's delivery beside it)."""

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

# The week of the fixture (Monday to Sunday) and the week before it.
MONDAY = dt.date(2025, 11, 3)
WEEK = [MONDAY + dt.timedelta(days=offset) for offset in range(7)]
PREVIOUS_MONDAY = dt.date(2025, 10, 27)


def measures(impressions, clicks, conversions, revenue, spend):
    return {
        "impressions": impressions,
        "clicks": clicks,
        "conversions": conversions,
        "conversion_revenue": Decimal(revenue),
        "spend": Decimal(spend),
    }


@pytest.fixture
def week(client_a, client_b):
    """Client A in the week of Nov 3-9, 2025:

    campaign   creative          day     impr   clicks conv revenue spend
    Spring     Banner A 300x250  Nov 3   10,000  100   10    500    150
    Spring     Banner A 300x250  Nov 4   20,000   50    5    300    300
    Spring     Banner B 728x90   Nov 5    5,000   40    8  1,200     75
    Retarget   Video V (vibe)    Nov 6    8,000    0    3  2,500    120
    Brand      Wide U            Nov 7   40,000   20    1     50    600
    Brand      Narrow X          Nov 7    6,000    6    0      0     90

    The week before: Banner A on Oct 30 (30,000 / 90 / 6 / 600 / 450). Outside both weeks:
    a row on Oct 26 and one on Nov 10. Client B delivers in the week too (never counted).
    Surfside's file for Nov 8 was not delivered.
    """
    spring = CreativeFactory(
        name="Banner A",
        size="300x250",
        placement__name="Homepage",
        placement__strategy__name="Prospecting",
        placement__strategy__campaign__name="Spring",
        placement__strategy__campaign__client=client_a,
    )
    banner_b = CreativeFactory(name="Banner B", size="728x90", placement=spring.placement)
    video = CreativeFactory(
        name="Video V",
        size="",
        placement__strategy__campaign__name="Retarget",
        placement__strategy__campaign__source=Source.VIBE,
        placement__strategy__campaign__client=client_a,
    )
    wide = CreativeFactory(
        name="Wide U",
        placement__strategy__campaign__name="Brand",
        placement__strategy__campaign__client=client_a,
    )
    narrow = CreativeFactory(name="Narrow X", placement=wide.placement)
    other = CreativeFactory(name="Borealis banner", placement__strategy__campaign__client=client_b)
    rows = [
        DailyMetricFactory(
            creative=spring, date=WEEK[0], **measures(10_000, 100, 10, "500", "150")
        ),
        DailyMetricFactory(creative=spring, date=WEEK[1], **measures(20_000, 50, 5, "300", "300")),
        DailyMetricFactory(creative=banner_b, date=WEEK[2], **measures(5_000, 40, 8, "1200", "75")),
        DailyMetricFactory(creative=video, date=WEEK[3], **measures(8_000, 0, 3, "2500", "120")),
        DailyMetricFactory(creative=wide, date=WEEK[4], **measures(40_000, 20, 1, "50", "600")),
        DailyMetricFactory(creative=narrow, date=WEEK[4], **measures(6_000, 6, 0, "0", "90")),
        DailyMetricFactory(
            creative=spring, date=dt.date(2025, 10, 30), **measures(30_000, 90, 6, "600", "450")
        ),
        DailyMetricFactory(
            creative=spring, date=dt.date(2025, 10, 26), **measures(7, 7, 7, "7", "0.105")
        ),
        DailyMetricFactory(
            creative=spring, date=dt.date(2025, 11, 10), **measures(7, 7, 7, "7", "0.105")
        ),
        DailyMetricFactory(creative=other, date=WEEK[2], **measures(99_000, 900, 90, "9", "1485")),
    ]
    rollups_built(*rows)
    IngestionRunFactory(
        client=client_a,
        source=Source.SURFSIDE,
        status=RunStatus.MISSING_FILE,
        requested_date=WEEK[5],
    )
    return {
        "spring": spring,
        "banner_b": banner_b,
        "video": video,
        "wide": wide,
        "narrow": narrow,
        "rows": rows,
    }


@pytest.fixture
def complete_week(client_a):
    """Client A's Surfside creative delivering on every day of the week of Nov 3, 2025, and on
    every day of the week before."""
    creative = CreativeFactory(name="Daily banner", placement__strategy__campaign__client=client_a)
    rows = [
        DailyMetricFactory(creative=creative, date=day, **measures(1000, 10, 1, "40", "15"))
        for day in WEEK
    ] + [
        DailyMetricFactory(
            creative=creative,
            date=PREVIOUS_MONDAY + dt.timedelta(days=offset),
            **measures(500, 5, 1, "20", "7.5"),
        )
        for offset in range(7)
    ]
    rollups_built(*rows)
    return creative


# --- The last days, for the pages -----------------------------------------------------------


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def deliver(creative, day, impressions, clicks=0, conversions=0, revenue="0", spend=None):
    return DailyMetricFactory(
        creative=creative,
        date=day,
        impressions=impressions,
        clicks=clicks,
        conversions=conversions,
        conversion_revenue=Decimal(revenue),
        spend=None if spend is None else Decimal(spend),
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
        deliver(foreign, days_ago(1), 777_777, 7, 7, "7", "11666.655"),
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
