"""Spend derived, not stored per detail row (SPEC 4; issue 15 part 2), with two tenants that share
campaign, strategy, placement and creative names and the same day at awkward rates.

    Acme      CPM 12.3455 from 2020 (a 4th decimal of 5: every odd impression count ends on a
              half-millionth)
    Borealis  CPM 9999.9999 from 2020

    Nov 1, 2025 (both)   strategy     placement  creative         impressions
                         Prospecting  Top        Banner 300x250             1
                         Prospecting  Top        Banner 728x90              3
                         Prospecting  Side       Skyscraper           999,999
                         Retargeting  Reminder   Reminder                   7

Worked by hand (x CPM / 1000, exact, then rounded half up to 6 places where stored):
    Acme      rows 0.0123455, 0.0370365, 12,345.4876545, 0.0864185: sum 12,345.6234550
              campaign 12,345.623455; Prospecting 12,345.537037; Retargeting 0.086419;
              Top 0.049382; Side 12,345.487655
    Borealis  1,000,010 impressions: campaign 10,000,099.899999 (exact 10,000,099.8999990)
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db.models import Sum

from campaigns.tests.factories import CreativeFactory, PlacementFactory, StrategyFactory
from clients.models import Client
from clients.tests.factories import ClientFactory
from metrics.models import CampaignDayRollup, DailyMetric, PlacementDayRollup, StrategyDayRollup
from metrics.periods import DateRange
from metrics.pricing import with_spend
from metrics.selectors.hierarchy import CREATIVES, PLACEMENTS, STRATEGIES, performance_rows
from metrics.tests.factories import DailyMetricFactory, rollups_built

pytestmark = pytest.mark.django_db

NOV_1 = dt.date(2025, 11, 1)
CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def deliver_tree(client):
    """The four rows of the module docstring for ``client``, rolled up."""
    prospecting = StrategyFactory(
        name="Prospecting", campaign__name="Spring Sale", campaign__client=client
    )
    retargeting = StrategyFactory(name="Retargeting", campaign=prospecting.campaign)
    top = PlacementFactory(name="Top", strategy=prospecting)
    side = PlacementFactory(name="Side", strategy=prospecting)
    reminder = PlacementFactory(name="Reminder", strategy=retargeting)
    creatives = [
        (CreativeFactory(name="Banner", size="300x250", placement=top), 1),
        (CreativeFactory(name="Banner", size="728x90", placement=top), 3),
        (CreativeFactory(name="Skyscraper", size="160x600", placement=side), 999_999),
        (CreativeFactory(name="Reminder", size="300x250", placement=reminder), 7),
    ]
    rows = [
        DailyMetricFactory(creative=creative, date=NOV_1, impressions=impressions, clicks=0)
        for creative, impressions in creatives
    ]
    rollups_built(*rows)
    return {"prospecting": prospecting, "retargeting": retargeting, "top": top, "side": side}


@pytest.fixture
def awkward():
    acme = ClientFactory(name="Acme Foods", slug="acme", cpm="12.3455")
    borealis = ClientFactory(name="Borealis Travel", slug="borealis", cpm="9999.9999")
    return {
        "a": acme,
        "b": borealis,
        "tree_a": deliver_tree(acme),
        "tree_b": deliver_tree(borealis),
    }


def test_every_rollup_prices_its_summed_impressions_exactly(awkward):
    a, b = awkward["a"], awkward["b"]
    assert CampaignDayRollup.objects.get(client=a).spend == Decimal("12345.623455")
    assert CampaignDayRollup.objects.get(client=b).spend == Decimal("10000099.899999")
    strategies = dict(
        StrategyDayRollup.objects.filter(client=a).values_list("strategy__name", "spend")
    )
    assert strategies == {
        "Prospecting": Decimal("12345.537037"),
        "Retargeting": Decimal("0.086419"),
    }
    placements = dict(
        PlacementDayRollup.objects.filter(client=a).values_list("placement__name", "spend")
    )
    assert placements == {
        "Top": Decimal("0.049382"),
        "Side": Decimal("12345.487655"),
        "Reminder": Decimal("0.086419"),
    }
    counts = StrategyDayRollup.objects.filter(client=a).aggregate(rows=Sum("metric_rows"))
    assert counts["rows"] == 4


def test_a_rollups_spend_is_the_sum_of_its_rows_spends_to_the_cent(awkward):
    a = awkward["a"]
    rows = with_spend(DailyMetric.objects.filter(client=a))
    per_row = sorted(row.spend for row in rows)
    assert per_row == [
        Decimal("0.0123455"),
        Decimal("0.0370365"),
        Decimal("0.0864185"),
        Decimal("12345.4876545"),
    ]
    exact = sum(per_row, Decimal(0))
    assert exact == Decimal("12345.6234550")
    rollup = CampaignDayRollup.objects.get(client=a).spend
    # To the millionth of the exact sum, so to the cent whatever the rounding of display.
    assert abs(rollup - exact) <= Decimal("0.0000005")
    assert cents(rollup) == cents(exact) == Decimal("12345.62")
    # The sums of the finer rollups agree to the cent as well (each is rounded once).
    strategies = StrategyDayRollup.objects.filter(client=a).aggregate(spend=Sum("spend"))
    assert strategies["spend"] == Decimal("12345.623456")
    assert cents(strategies["spend"]) == cents(rollup)


def test_lists_below_campaigns_equal_the_detail_rows_aggregated(awkward):
    a, b = awkward["a"], awkward["b"]
    day = DateRange(NOV_1, NOV_1)
    detail = with_spend(DailyMetric.objects.filter(client__in=[a, b]))
    for level, key in ((STRATEGIES, "strategy_id"), (PLACEMENTS, "placement_id")):
        listed = {
            row[key]: (row["total_impressions"], cents(row["total_spend"]))
            for row in performance_rows(
                level, clients=Client.objects.filter(pk__in=[a.pk, b.pk]), date_range=day
            )
        }
        aggregated = {
            row[key]: (row["impressions"], cents(row["spend"]))
            for row in detail.values(key).annotate(
                impressions=Sum("impressions"), spend=Sum("spend")
            )
        }
        assert listed == aggregated
    only_a = performance_rows(STRATEGIES, clients=Client.objects.filter(pk=a.pk), date_range=day)
    assert [
        (row["total_impressions"], row["total_spend"], row["full_count"]) for row in only_a
    ] == [
        (1_000_003, Decimal("12345.537037"), 2),
        (7, Decimal("0.086419"), 2),
    ]


def test_a_creative_list_prices_each_creative_from_the_rates(awkward):
    a = awkward["a"]
    rows = performance_rows(
        CREATIVES, clients=Client.objects.filter(pk=a.pk), date_range=DateRange(NOV_1, NOV_1)
    )
    assert [row["total_spend"] for row in rows] == [
        Decimal("12345.4876545"),
        Decimal("0.0864185"),
        Decimal("0.0370365"),
        Decimal("0.0123455"),
    ]
    assert {row["full_count"] for row in rows} == {4}
