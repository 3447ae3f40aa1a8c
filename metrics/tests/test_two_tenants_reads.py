"""Selectors and the API over two tenants with the same names, overlapping days and different
rates (tests/two_tenants.py): each sees exactly its own hand-worked numbers."""

import datetime as dt
from decimal import Decimal

import pytest

from clients.models import Client
from clients.scoping import visible_clients
from metrics.selectors.measures import totals

pytestmark = pytest.mark.django_db

RANGE = "start_date=2025-11-01&end_date=2025-11-04"
FIRST, LAST = dt.date(2025, 11, 1), dt.date(2025, 11, 4)


def six(value: Decimal | int) -> str:
    return f"{Decimal(value):.6f}"


def test_totals_selector_per_client(two_tenants, user_a, user_b):
    for user, expected in ((user_a, two_tenants.expected_a), (user_b, two_tenants.expected_b)):
        result = totals(clients=visible_clients(user), start=FIRST, end=LAST)
        assert (result.impressions, result.clicks, result.conversions) == (
            expected.impressions,
            expected.clicks,
            expected.conversions,
        )
        assert (result.spend, result.conversion_revenue) == (expected.spend, expected.revenue)
    both = totals(clients=Client.objects.all(), start=FIRST, end=LAST)
    assert both.spend == Decimal("115") + Decimal("710")
    assert both.impressions == 6000 + 15000


def test_totals_selector_on_one_shared_day(two_tenants, user_a):
    day = dt.date(2025, 11, 2)
    result = totals(clients=visible_clients(user_a), start=day, end=day)
    assert (result.impressions, result.spend) == (2000, Decimal("40"))


def test_summary_api_per_user(api, two_tenants, user_a, user_b, admin_user):
    a = api(user_a).get(f"/api/v1/dashboard/summary?{RANGE}").json()
    assert (a["impressions"], a["spend"], a["ctr"], a["roas"]) == (
        6000,
        "115.000000",
        "1.000000",  # 60 / 6,000 x 100
        "156.521739",  # 180 / 115 x 100
    )
    b = api(user_b).get(f"/api/v1/dashboard/summary?{RANGE}").json()
    assert (b["impressions"], b["spend"], b["cpc"], b["cpa"]) == (
        15000,
        "710.000000",
        "23.666667",  # 710 / 30
        "118.333333",  # 710 / 6
    )
    every = api(admin_user).get(f"/api/v1/dashboard/summary?{RANGE}").json()
    assert (every["impressions"], every["spend"]) == (21000, "825.000000")
    one = api(admin_user).get(
        f"/api/v1/dashboard/summary?{RANGE}&client_id={two_tenants.client_b.pk}"
    )
    assert one.json()["spend"] == "710.000000"


def test_campaign_list_api_shows_each_client_its_own_same_named_campaign(
    api, two_tenants, user_a, user_b, admin_user
):
    for user, client in ((user_a, two_tenants.client_a), (user_b, two_tenants.client_b)):
        body = api(user).get(f"/api/v1/campaigns?{RANGE}").json()
        expected = two_tenants.expected(client)
        assert body["count"] == 1
        (campaign,) = body["results"]
        assert (campaign["name"], campaign["client_id"]) == ("Spring Sale", client.pk)
        assert (campaign["impressions"], campaign["spend"]) == (
            expected.impressions,
            six(expected.spend),
        )
    admin = api(admin_user).get(f"/api/v1/campaigns?{RANGE}").json()
    assert sorted((c["client_id"], c["spend"]) for c in admin["results"]) == sorted(
        [
            (two_tenants.client_a.pk, "115.000000"),
            (two_tenants.client_b.pk, "710.000000"),
        ]
    )
