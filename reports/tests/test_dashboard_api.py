import datetime as dt
from decimal import Decimal
from unittest.mock import ANY

import pytest
from django.utils import timezone

from campaigns.models import Source
from campaigns.tests.factories import CreativeFactory
from ingestion.models import RunStatus
from ingestion.tests.factories import IngestionRunFactory
from metrics.comparison import ComparisonMode, comparison_range
from metrics.periods import DateRange
from metrics.tests.factories import DailyMetricFactory, rollups_built

pytestmark = pytest.mark.django_db

NOV = {day: dt.date(2025, 11, day) for day in range(1, 31)}
OCT = {day: dt.date(2025, 10, day) for day in range(1, 32)}
RANGE = "start_date=2025-11-02&end_date=2025-11-03"


def measures(impressions, clicks, conversions, revenue, spend):
    return {
        "impressions": impressions,
        "clicks": clicks,
        "conversions": conversions,
        "conversion_revenue": Decimal(revenue),
        "spend": Decimal(spend),
    }


@pytest.fixture
def delivery(client_a, client_b):
    """Client A: a Surfside creative on four days (two in the range Nov 2-3, one in the previous
    period Oct 31-Nov 1, one before that) and a Vibe creative on one day in the range. Client B:
    one big day. Like for like, Surfside pairs Nov 3 with Nov 1 (1 of 2 days: comparable) and Vibe
    pairs nothing (left out)."""
    surfside = CreativeFactory(placement__strategy__campaign__client=client_a)
    vibe = CreativeFactory(
        placement__strategy__campaign__client=client_a,
        placement__strategy__campaign__source=Source.VIBE,
    )
    other = CreativeFactory(placement__strategy__campaign__client=client_b)
    rows = [
        # 1 % CTR then 0.1 % CTR: the mean of the ratios (0.55 %) is not the total's CTR.
        DailyMetricFactory(creative=surfside, date=NOV[2], **measures(1000, 10, 1, "50", "15")),
        DailyMetricFactory(creative=surfside, date=NOV[3], **measures(9000, 9, 2, "100", "135")),
        DailyMetricFactory(creative=vibe, date=NOV[3], **measures(2000, 0, 0, "0", "30")),
        DailyMetricFactory(creative=surfside, date=NOV[1], **measures(5000, 10, 2, "300", "75")),
        # Outside both periods: never counted.
        DailyMetricFactory(creative=surfside, date=OCT[30], **measures(7, 7, 7, "7", "0.105")),
        DailyMetricFactory(creative=surfside, date=NOV[4], **measures(7, 7, 7, "7", "0.105")),
        DailyMetricFactory(creative=other, date=NOV[2], **measures(100_000, 900, 90, "9", "1500")),
    ]
    rollups_built(*rows)
    return rows


EXPECTED_SUMMARY = {
    "impressions": 12000,
    "clicks": 19,
    "conversions": 3,
    "conversion_revenue": "150.000000",
    "spend": "180.000000",
    # The Vibe creative's 2,000 CTV impressions cannot be clicked: CTR and CPC divide the
    # impressions (10,000) and spend ($150) of Surfside, the source that reports clicks.
    "ctr": "0.190000",
    "cpc": "7.894737",
    "cpa": "60.000000",
    "roas": "83.333333",
    "date_range": {"start_date": "2025-11-02", "end_date": "2025-11-03"},
    "repricing": [],
    "previous_period": {
        "impressions": 5000,
        "clicks": 10,
        "conversions": 2,
        "conversion_revenue": "300.000000",
        "spend": "75.000000",
        "ctr": "0.200000",
        "cpc": "7.500000",
        "cpa": "37.500000",
        "roas": "400.000000",
        "date_range": {"start_date": "2025-10-31", "end_date": "2025-11-01"},
    },
    "comparison": {
        "mode": "previous",
        "date_range": {"start_date": "2025-10-31", "end_date": "2025-11-01"},
        "comparable": True,
        # Surfside's Nov 3 (its only day paired with a day with data, Nov 1); Vibe left out.
        "current": {
            "impressions": 9000,
            "clicks": 9,
            "conversions": 2,
            "conversion_revenue": "100.000000",
            "spend": "135.000000",
            "ctr": "0.100000",
            "cpc": "15.000000",
            "cpa": "67.500000",
            "roas": "74.074074",
        },
        "previous": {
            "impressions": 5000,
            "clicks": 10,
            "conversions": 2,
            "conversion_revenue": "300.000000",
            "spend": "75.000000",
            "ctr": "0.200000",
            "cpc": "7.500000",
            "cpa": "37.500000",
            "roas": "400.000000",
        },
        "sources": [
            {
                "source": "surfside",
                "client_id": ANY,
                "comparable": True,
                "days": 2,
                "paired_days": 1,
                "current_days": 2,
                "comparison_days": 1,
                "reason": "",
            },
            {
                "source": "vibe",
                "client_id": ANY,
                "comparable": False,
                "days": 2,
                "paired_days": 0,
                "current_days": 1,
                "comparison_days": 0,
                "reason": "Vibe: no data pulled in Oct 31\u2013Nov 1",
            },
        ],
        "left_out": ["Vibe: no data pulled in Oct 31\u2013Nov 1"],
    },
    "change": {
        "impressions": {"absolute": 4000, "percent": "80.000000"},
        "clicks": {"absolute": -1, "percent": "-10.000000"},
        "conversions": {"absolute": 0, "percent": "0.000000"},
        "conversion_revenue": {"absolute": "-200.000000", "percent": "-66.666667"},
        "spend": {"absolute": "60.000000", "percent": "80.000000"},
        # Rates change in points.
        "ctr": {"absolute": "-0.100000", "percent": None},
        "cpc": {"absolute": "7.500000", "percent": "100.000000"},
        "cpa": {"absolute": "30.000000", "percent": "80.000000"},
        "roas": {"absolute": "-325.925926", "percent": None},
    },
}


def test_summary_is_ratios_of_sums_with_previous_period_and_change(api, user_a, delivery):
    response = api(user_a).get(f"/api/v1/dashboard/summary?{RANGE}")
    assert response.status_code == 200
    assert response.json() == EXPECTED_SUMMARY


def test_admin_sees_every_client_or_the_one_asked_for(api, admin_user, client_a, delivery):
    every = api(admin_user).get(f"/api/v1/dashboard/summary?{RANGE}").json()
    assert every["impressions"] == 12000 + 100_000
    one = api(admin_user).get(f"/api/v1/dashboard/summary?{RANGE}&client_id={client_a.pk}")
    assert one.json() == EXPECTED_SUMMARY


def test_client_user_may_name_their_own_client(api, user_a, client_a, delivery):
    response = api(user_a).get(f"/api/v1/dashboard/summary?{RANGE}&client_id={client_a.pk}")
    assert response.json() == EXPECTED_SUMMARY


@pytest.mark.parametrize("client_id", ["other", "999999", "abc"])
def test_client_id_not_visible_is_404(api, user_a, client_b, delivery, client_id):
    value = client_b.pk if client_id == "other" else client_id
    response = api(user_a).get(f"/api/v1/dashboard/summary?{RANGE}&client_id={value}")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_source_without_data_in_the_previous_period_is_not_comparable(api, user_a, delivery):
    """Issue 12: the Vibe filter showed +2,000 impressions ("new") because the previous period
    had no Vibe data; like for like, there is no change to show, and the reason is given."""
    body = api(user_a).get(f"/api/v1/dashboard/summary?{RANGE}&source=vibe").json()
    # Vibe reports no clicks: clicks stays a number, CTR and CPC are null.
    assert (body["impressions"], body["clicks"], body["spend"]) == (2000, 0, "30.000000")
    assert (body["ctr"], body["cpc"]) == (None, None)
    assert body["previous_period"]["impressions"] == 0
    assert body["change"] is None
    assert body["comparison"]["comparable"] is False
    assert body["comparison"]["left_out"] == ["Vibe: no data pulled in Oct 31\u2013Nov 1"]


def test_default_range_is_the_30_days_that_end_yesterday(api, user_a):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    body = api(user_a).get("/api/v1/dashboard/summary").json()
    assert body["date_range"] == {
        "start_date": str(yesterday - dt.timedelta(days=29)),
        "end_date": str(yesterday),
    }
    # The 30 days before, unless the 30 days are a month to date (SPEC 9; table-tested in
    # metrics/tests/test_comparison_rules.py).
    compared = comparison_range(
        DateRange(yesterday - dt.timedelta(days=29), yesterday), ComparisonMode.PREVIOUS
    )
    assert body["previous_period"]["date_range"] == {
        "start_date": str(compared.start),
        "end_date": str(compared.end),
    }
    assert body["impressions"] == 0 and body["ctr"] == "0.000000"


def test_only_an_end_date_gives_the_30_days_before_it(api, user_a):
    body = api(user_a).get("/api/v1/dashboard/summary?end_date=2025-11-30").json()
    assert body["date_range"] == {"start_date": "2025-11-01", "end_date": "2025-11-30"}


def test_a_range_of_several_years_is_served_from_the_rollups(api, user_a):
    response = api(user_a).get(
        "/api/v1/dashboard/summary?start_date=2021-01-01&end_date=2025-12-31"
    )
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("start_date=2025-13-01", "start_date: Use a date like 2025-03-01 (YYYY-MM-DD)."),
        ("end_date=yesterday", "end_date: Use a date like 2025-03-01 (YYYY-MM-DD)."),
        (
            "start_date=2025-11-05&end_date=2025-11-01",
            "The range starts on Nov 5, 2025, after it ends on Nov 1, 2025: choose a start on or "
            "before the end.",
        ),
        ("source=tiktok", 'source: "tiktok" is not a source; use surfside, vibe, facebook.'),
        ("start=2025-11-01", "start: Unknown field."),
    ],
)
@pytest.mark.parametrize("endpoint", ["dashboard/summary", "dashboard/overview", "metrics/daily"])
def test_bad_parameters_are_400_with_a_detail_a_person_understands(
    api, user_a, endpoint, query, detail
):
    response = api(user_a).get(f"/api/v1/{endpoint}?{query}")
    assert response.status_code == 400
    assert response.json()["detail"] == detail


def test_a_start_after_the_default_end_says_so(api, user_a):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = api(user_a).get(f"/api/v1/dashboard/summary?start_date={tomorrow}")
    assert response.status_code == 400
    assert "(yesterday, the default end)" in response.json()["detail"]


def test_a_foreign_client_id_is_404_even_with_bad_dates(api, user_a, client_b):
    response = api(user_a).get(
        f"/api/v1/dashboard/summary?client_id={client_b.pk}&start_date=nonsense"
    )
    assert response.status_code == 404


# --- overview ---------------------------------------------------------------------------------


def test_overview_has_the_summary_and_every_day_with_its_status(api, user_a, client_a, client_b):
    creative = CreativeFactory(placement__strategy__campaign__client=client_a)
    rows = [
        DailyMetricFactory(creative=creative, date=NOV[1], **measures(1000, 10, 1, "50", "15")),
        DailyMetricFactory(creative=creative, date=NOV[2], **measures(9000, 9, 2, "100", "135")),
    ]
    rollups_built(*rows)
    run = IngestionRunFactory.create
    run(client=client_a, requested_date=NOV[2], date_from=NOV[1], date_to=NOV[2])
    run(client=client_a, requested_date=NOV[3], status=RunStatus.MISSING_FILE)
    run(client=client_a, requested_date=NOV[4], status=RunStatus.FAILED, source=Source.VIBE)
    # A failure that a later run superseded no longer explains the day.
    run(client=client_a, requested_date=NOV[5], status=RunStatus.FAILED)
    run(client=client_a, requested_date=NOV[5], status=RunStatus.PROCESSING)
    # Another client's missing file says nothing about client A's day.
    run(client=client_b, requested_date=NOV[6], status=RunStatus.MISSING_FILE)
    # An upload has no requested day: the days its data held count.
    run(
        client=client_a,
        source=Source.FACEBOOK,
        requested_date=None,
        date_from=NOV[7],
        date_to=NOV[7],
        status=RunStatus.FAILED,
    )

    response = api(user_a).get(
        "/api/v1/dashboard/overview?start_date=2025-11-01&end_date=2025-11-07"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["impressions"] == 10000 and body["ctr"] == "0.190000"
    # Nov 1-7 is a month to date: it compares with the same days of October.
    assert body["previous_period"]["date_range"] == {
        "start_date": "2025-10-01",
        "end_date": "2025-10-07",
    }
    assert [(day["date"], day["status"], day["impressions"]) for day in body["daily"]] == [
        ("2025-11-01", "ok", 1000),
        ("2025-11-02", "ok", 9000),
        ("2025-11-03", "no data: file not delivered", 0),
        ("2025-11-04", "no data: ingestion failed", 0),
        ("2025-11-05", "no data: not yet pulled", 0),
        ("2025-11-06", "no data: not yet pulled", 0),
        ("2025-11-07", "no data: ingestion failed", 0),
    ]
    first_day = body["daily"][0]
    assert (first_day["ctr"], first_day["cpc"], first_day["spend"]) == (
        "1.000000",
        "1.500000",
        "15.000000",
    )
    assert body["daily"][2]["spend"] == "0.000000"


def test_a_missing_file_outweighs_a_failure_on_the_same_day(api, user_a, client_a):
    IngestionRunFactory(client=client_a, requested_date=NOV[3], status=RunStatus.FAILED)
    IngestionRunFactory(
        client=client_a,
        requested_date=NOV[3],
        status=RunStatus.MISSING_FILE,
        source=Source.VIBE,
    )
    body = api(user_a).get("/api/v1/dashboard/overview?start_date=2025-11-03&end_date=2025-11-03")
    assert body.json()["daily"][0]["status"] == "no data: file not delivered"


def test_overview_source_filter_narrows_the_reasons(api, user_a, client_a):
    IngestionRunFactory(client=client_a, requested_date=NOV[3], status=RunStatus.MISSING_FILE)
    query = "start_date=2025-11-03&end_date=2025-11-03&source=vibe"
    body = api(user_a).get(f"/api/v1/dashboard/overview?{query}").json()
    assert body["daily"][0]["status"] == "no data: not yet pulled"
    assert [fresh["source"] for fresh in body["freshness"]] == ["vibe"]
    assert [totals["source"] for totals in body["by_source"]] == ["vibe"]


def test_overview_freshness_and_totals_by_source(api, user_a, client_a, client_b, delivery):
    loaded_at = dt.datetime(2025, 11, 4, 10, 30, tzinfo=dt.UTC)
    IngestionRunFactory(client=client_a, finished_at=loaded_at - dt.timedelta(days=1))
    IngestionRunFactory(client=client_a, status=RunStatus.PARTIAL, finished_at=loaded_at)
    # Neither a later failure nor another client's load counts.
    IngestionRunFactory(
        client=client_a, status=RunStatus.FAILED, finished_at=loaded_at + dt.timedelta(hours=1)
    )
    IngestionRunFactory(client=client_b, finished_at=loaded_at + dt.timedelta(days=2))

    body = api(user_a).get(f"/api/v1/dashboard/overview?{RANGE}").json()

    assert body["freshness"] == [
        {
            "source": "surfside",
            "last_loaded_at": "2025-11-04T05:30:00-05:00",
            "latest_date": "2025-11-04",
        },
        {"source": "vibe", "last_loaded_at": None, "latest_date": "2025-11-03"},
        # Facebook is not one of client A's sources (no data): not listed.
    ]
    by_source = {totals["source"]: totals for totals in body["by_source"]}
    assert list(by_source) == ["surfside", "vibe", "facebook"]
    assert (by_source["surfside"]["impressions"], by_source["surfside"]["ctr"]) == (
        10000,
        "0.190000",
    )
    assert (by_source["vibe"]["impressions"], by_source["vibe"]["spend"]) == (2000, "30.000000")
    assert by_source["facebook"]["impressions"] == 0
    summary = api(user_a).get(f"/api/v1/dashboard/summary?{RANGE}").json()
    assert {key: body[key] for key in summary} == summary


def test_overview_query_count_does_not_grow_with_the_days_or_rows(
    api, user_a, client_a, django_assert_num_queries
):
    caller = api(user_a)  # issuing the token writes a row; the requests are what we count

    def overview():
        return caller.get("/api/v1/dashboard/overview?start_date=2025-11-01&end_date=2025-11-30")

    # The user (JWT), the comparison (both periods summed per source and day), re-pricing
    # pending, totals by source, totals per day, the reasons of days without data, freshness.
    with django_assert_num_queries(7):
        assert overview().status_code == 200

    rows = []
    for day in range(1, 31):
        for creative in CreativeFactory.create_batch(
            3, placement__strategy__campaign__client=client_a
        ):
            rows.append(DailyMetricFactory(creative=creative, date=NOV[day]))
        IngestionRunFactory(client=client_a, requested_date=NOV[day], status=RunStatus.FAILED)
    rollups_built(*rows)
    with django_assert_num_queries(7):
        body = overview().json()
    assert [day["status"] for day in body["daily"]] == ["ok"] * 30


def test_summary_query_count(api, admin_user, client_a, delivery, django_assert_num_queries):
    caller = api(admin_user)
    # The user, the client_id check, both periods summed per source and day, re-pricing pending.
    with django_assert_num_queries(4):
        caller.get(f"/api/v1/dashboard/summary?{RANGE}&client_id={client_a.pk}")


@pytest.mark.parametrize(
    "query", ["end_date=0001-01-01", "start_date=0001-01-01&end_date=0001-01-02"]
)
def test_dates_at_the_calendars_edge_are_a_400_not_a_500(api, user_a, query):
    response = api(user_a).get(f"/api/v1/dashboard/summary?{query}")
    assert response.status_code == 400
    assert "Use a date between 2000-01-01" in response.json()["detail"]
