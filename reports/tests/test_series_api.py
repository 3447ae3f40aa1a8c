import datetime as dt
from decimal import Decimal

import pytest

from campaigns.tests.factories import CreativeFactory
from metrics.tests.factories import DailyMetricFactory, rollups_built

pytestmark = pytest.mark.django_db


@pytest.fixture
def deliveries(client_a, client_b):
    creative = CreativeFactory(placement__strategy__campaign__client=client_a)
    foreign = CreativeFactory(placement__strategy__campaign__client=client_b)
    days = {
        # Sunday, the end of the week of Monday 2025-10-27.
        dt.date(2025, 11, 2): (1000, 10, "15"),
        # Monday and Wednesday of the next week: 1 % and 0.1 % CTR, 0.19 % together.
        dt.date(2025, 11, 3): (1000, 10, "15"),
        dt.date(2025, 11, 5): (9000, 9, "135"),
        # The next month.
        dt.date(2025, 12, 1): (500, 5, "7.5"),
    }
    rows = [
        DailyMetricFactory(
            creative=creative, date=day, impressions=shown, clicks=clicks, spend=Decimal(spend)
        )
        for day, (shown, clicks, spend) in days.items()
    ]
    rows.append(DailyMetricFactory(creative=foreign, date=dt.date(2025, 11, 3), impressions=7))
    rollups_built(*rows)


def get_series(api, user, granularity, start, end):
    response = api(user).get(f"/api/v1/metrics/{granularity}?start_date={start}&end_date={end}")
    assert response.status_code == 200
    body = response.json()
    assert (
        body["granularity"] == {"daily": "day", "weekly": "week", "monthly": "month"}[granularity]
    )
    return body["series"]


def test_daily_series_has_every_day(api, user_a, deliveries):
    series = get_series(api, user_a, "daily", "2025-11-02", "2025-11-05")
    assert [(row["period_start"], row["period_end"], row["impressions"]) for row in series] == [
        ("2025-11-02", "2025-11-02", 1000),
        ("2025-11-03", "2025-11-03", 1000),
        ("2025-11-04", "2025-11-04", 0),
        ("2025-11-05", "2025-11-05", 9000),
    ]


def test_weekly_series_runs_monday_to_sunday_clipped_to_the_range(api, user_a, deliveries):
    series = get_series(api, user_a, "weekly", "2025-11-01", "2025-11-12")
    assert [
        (row["period_start"], row["period_end"], row["impressions"], row["ctr"], row["cpc"])
        for row in series
    ] == [
        # Saturday and Sunday of the week that began on Monday 2025-10-27.
        ("2025-11-01", "2025-11-02", 1000, "1.000000", "1.500000"),
        ("2025-11-03", "2025-11-09", 10000, "0.190000", "7.894737"),
        ("2025-11-10", "2025-11-12", 0, "0.000000", "0.000000"),
    ]


def test_monthly_series(api, user_a, deliveries):
    series = get_series(api, user_a, "monthly", "2025-10-15", "2025-12-31")
    assert [(row["period_start"], row["period_end"], row["impressions"]) for row in series] == [
        ("2025-10-15", "2025-10-31", 0),
        ("2025-11-01", "2025-11-30", 11000),
        ("2025-12-01", "2025-12-31", 500),
    ]
    assert series[1]["spend"] == "165.000000"


def test_admin_series_cover_every_client_unless_narrowed(api, admin_user, client_a, deliveries):
    every = get_series(api, admin_user, "daily", "2025-11-03", "2025-11-03")
    assert every[0]["impressions"] == 1007
    response = api(admin_user).get(
        f"/api/v1/metrics/daily?start_date=2025-11-03&end_date=2025-11-03&client_id={client_a.pk}"
    )
    assert response.json()["series"][0]["impressions"] == 1000


@pytest.mark.parametrize("granularity", ["daily", "weekly", "monthly"])
def test_series_query_count_is_constant(
    api, user_a, deliveries, granularity, django_assert_num_queries
):
    caller = api(user_a)
    # The user (JWT) and one grouped query.
    with django_assert_num_queries(2):
        caller.get(f"/api/v1/metrics/{granularity}?start_date=2025-01-01&end_date=2025-12-31")
