"""Pacing against hand-computed figures: SPEC 8's two examples and its edge cases."""

import datetime as dt
from decimal import Decimal

import pytest

from campaigns.tests.factories import CampaignFactory
from metrics.tests.queued import cpm_rate_add
from pacing.models import DeliveryShape
from pacing.selectors import pacing_of
from pacing.tests.factories import InsertionOrderFactory, delivered, nov, span

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(client_a):
    return CampaignFactory(client=client_a, name="Spring")


@pytest.fixture
def order(client_a, campaign):
    io = InsertionOrderFactory(client=client_a)
    io.campaigns.set([campaign])
    return io


def paced(order, as_of=None):
    return pacing_of([order], as_of=as_of)[order.pk].as_dict()


def core(figures):
    keys = [
        "delivered_impressions",
        "expected_impressions",
        "pace_percent",
        "projected_impressions",
        "status",
    ]
    return [figures[key] for key in keys]


def test_spec_example_even_delivery(order, campaign):
    delivered(campaign, span(1, 10, 8_000))
    figures = paced(order, nov(10))
    assert core(figures) == [80_000, 100_000, Decimal("80.00"), 240_000, "under"]
    assert figures["run_rate_impressions"] == Decimal("8000.00")
    assert figures["days_left"] == 20
    assert figures["elapsed_days"] == 10
    assert figures["daily_impressions_needed"] == 11_000


def test_spec_example_run_rate_of_the_last_seven_days(order, campaign):
    delivered(campaign, {**span(1, 5, 5_000), **span(6, 10, 11_000)})
    figures = paced(order, nov(10))
    assert core(figures) == [80_000, 100_000, Decimal("80.00"), 265_714, "under"]
    assert figures["run_rate_impressions"] == Decimal("9285.71")


def test_before_the_flight_everything_is_zero(order, campaign):
    delivered(campaign, {dt.date(2025, 10, 30): 9_000, dt.date(2025, 10, 31): 9_000})
    figures = paced(order, dt.date(2025, 10, 31))
    assert core(figures) == [0, 0, None, 0, "not_started"]
    assert figures["days_left"] == 30
    assert figures["daily_impressions_needed"] == 10_000


def test_the_last_flight_day_is_still_paced(order, campaign):
    delivered(campaign, {**span(1, 10, 8_000), **span(11, 30, 10_500)})
    figures = paced(order, nov(30))
    # 80,000 + 20 x 10,500 = 290,000 of 300,000: 96.67 %, nothing left to project.
    assert core(figures) == [290_000, 300_000, Decimal("96.67"), 290_000, "on_track"]
    assert figures["days_left"] == 0
    assert figures["daily_impressions_needed"] is None


def test_after_the_flight_only_flight_days_count(order, campaign):
    delivered(
        campaign,
        {
            dt.date(2025, 10, 31): 50_000,
            **span(1, 10, 8_000),
            **span(11, 30, 10_500),
            dt.date(2025, 12, 1): 50_000,
        },
    )
    figures = paced(order, dt.date(2025, 12, 5))
    assert core(figures) == [290_000, 300_000, Decimal("96.67"), 290_000, "finished"]


def test_a_day_without_data_counts_zero(order, campaign):
    days = span(1, 10, 8_000)
    del days[nov(4)]
    delivered(campaign, days)
    figures = paced(order, nov(10))
    # Run rate over Nov 4-10: 6 x 8,000 / 7 = 6,857.142857...; projected 72,000 + 20 x that.
    assert core(figures) == [72_000, 100_000, Decimal("72.00"), 209_143, "under"]
    assert figures["run_rate_impressions"] == Decimal("6857.14")


def test_a_three_day_old_flight_runs_at_its_three_days(order, campaign):
    delivered(campaign, {nov(1): 8_000, nov(2): 9_000, nov(3): 10_000})
    figures = paced(order, nov(3))
    # Run rate 27,000 / 3 = 9,000; projected 27,000 + 27 x 9,000.
    assert core(figures) == [27_000, 30_000, Decimal("90.00"), 270_000, "under"]
    assert figures["run_rate_impressions"] == Decimal("9000.00")


def test_on_track_and_over(order, campaign):
    delivered(campaign, span(1, 10, 10_000))
    assert paced(order, nov(10))["status"] == "on_track"
    delivered(campaign, {nov(10): 600})
    assert paced(order, nov(10))["pace_percent"] == Decimal("100.60")
    delivered(campaign, {nov(10): 4_401})
    # 105,001 / 100,000 = 105.00 % (shown and judged to 2 places); run rate (70,000 + 5,001) / 7
    # = 10,714.428571...; projected 105,001 + 20 x that = 319,289.57.
    assert core(paced(order, nov(10)))[2:] == [Decimal("105.00"), 319_290, "on_track"]
    delivered(campaign, {nov(9): 10})
    assert paced(order, nov(10))["status"] == "over"


def test_weekdays_heavier_shape(order, campaign):
    order.delivery_shape = DeliveryShape.WEEKDAYS_HEAVIER
    order.save()
    delivered(campaign, span(1, 10, 8_000))
    # Nov 2025: 20 weekdays x 1.25 + 10 weekend days x 0.5 = 30. Nov 1-10 (Sat..Mon): 6 weekdays
    # and 4 weekend days = 9.5. Expected 300,000 x 9.5 / 30 = 95,000.
    figures = paced(order, nov(10))
    assert core(figures) == [80_000, 95_000, Decimal("84.21"), 240_000, "under"]
    # Sat and Sun only: weight 1 of 30 -> 10,000 expected, 16,000 delivered.
    assert core(paced(order, nov(2)))[:3] == [16_000, 10_000, Decimal("160.00")]


def test_budget_order_paces_billed_spend_across_a_cpm_change(client_a, campaign, admin_user):
    io = InsertionOrderFactory(
        client=client_a, contracted_impressions=None, contracted_budget=Decimal("4500.00")
    )
    io.campaigns.set([campaign])
    delivered(campaign, span(1, 10, 8_000))
    cpm_rate_add(
        client=client_a, cpm=Decimal("20.00"), effective_date=nov(6), by=admin_user, note=""
    )
    figures = paced(io, nov(10))
    # Nov 1-5 at 15.00: 5 x 120 = 600; Nov 6-10 at 20.00: 5 x 160 = 800.
    assert figures["paced_on"] == "spend"
    assert figures["delivered_spend"] == Decimal("1400.00")
    assert figures["expected_spend"] == Decimal("1500.00")
    assert figures["pace_percent"] == Decimal("93.33")
    assert figures["spend_pace_percent"] == Decimal("93.33")
    # Run rate Nov 4-10: (2 x 120 + 5 x 160) / 7 = 148.571428...; projected 1400 + 20 x that.
    assert figures["run_rate_spend"] == Decimal("148.57")
    assert figures["projected_spend"] == Decimal("4371.43")
    assert figures["daily_spend_needed"] == Decimal("155.00")
    assert figures["status"] == "under"
    assert figures["expected_impressions"] is None
    assert figures["delivered_impressions"] == 80_000


def test_only_the_orders_campaigns_and_client_count(order, campaign, client_a, client_b):
    other_campaign = CampaignFactory(client=client_a, name="Other")
    same_name_elsewhere = CampaignFactory(client=client_b, name="Spring")
    delivered(campaign, span(1, 10, 8_000))
    delivered(other_campaign, span(1, 10, 1_000))
    delivered(same_name_elsewhere, span(1, 10, 1_000))
    assert paced(order, nov(10))["delivered_impressions"] == 80_000


def test_pattern_and_whole_client_orders_cover_later_campaigns(client_a, client_b):
    by_pattern = InsertionOrderFactory(client=client_a, campaign_name_pattern="spring")
    whole = InsertionOrderFactory(
        client=client_a, start_date=dt.date(2025, 12, 1), end_date=dt.date(2025, 12, 31)
    )
    delivered(CampaignFactory(client=client_a, name="Spring CTV"), span(1, 10, 8_000))
    delivered(CampaignFactory(client=client_a, name="Autumn"), span(1, 10, 1_000))
    delivered(CampaignFactory(client=client_b, name="Spring CTV"), span(1, 10, 1_000))
    assert paced(by_pattern, nov(10))["delivered_impressions"] == 80_000
    december = dt.date(2025, 12, 1)
    delivered(CampaignFactory(client=client_a, name="Winter"), {december: 7})
    assert paced(whole, december)["delivered_impressions"] == 7


def test_default_as_of_is_the_latest_day_every_source_has(client_a, order, campaign):
    vibe = CampaignFactory(client=client_a, source="vibe", name="CTV")
    order.campaigns.add(vibe)
    delivered(campaign, span(1, 10, 8_000))
    delivered(vibe, span(1, 8, 1_000))
    figures = paced(order)
    assert figures["as_of"] == nov(8)
    assert figures["delivered_impressions"] == 8 * 9_000


def test_many_orders_take_a_constant_number_of_queries(client_a, django_assert_num_queries):
    orders = []
    for index in range(5):
        campaign = CampaignFactory(client=client_a, name=f"C{index}")
        delivered(campaign, span(1, 3, 1_000 * (index + 1)))
        io = InsertionOrderFactory(client=client_a)
        io.campaigns.set([campaign])
        orders.append(io)
    with django_assert_num_queries(4):
        found = pacing_of(orders)
    assert [found[io.pk].as_dict()["delivered_impressions"] for io in orders] == [
        3_000,
        6_000,
        9_000,
        12_000,
        15_000,
    ]
