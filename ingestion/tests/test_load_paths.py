"""A day the client and source have no rows on yet is loaded with a plain INSERT, a day they have
rows on with the upsert; both reconcile to the cent, per tenant, and a second load of a day
restates it, never duplicates it.

Hand-worked figures (tests/two_tenants.py gives the rates and the days already loaded):
Acme CPM 20.00 from 2025-11-02, Borealis CPM 50.00 from 2025-11-03.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from campaigns.models import Source
from ingestion.models import RunStatus
from ingestion.pipeline import run_ingestion
from metrics.models import CampaignDayRollup, DailyMetric
from metrics.pricing import with_spend
from tests.two_tenants import surfside_file

pytestmark = pytest.mark.django_db


def load(client, days):
    with CaptureQueriesContext(connection) as queries:
        run = run_ingestion(
            client=client, source=Source.SURFSIDE, content=surfside_file(days), file_name="d.csv"
        )
    assert run.status == RunStatus.SUCCESS, run.message
    inserts = [q["sql"] for q in queries if "INSERT INTO metrics_dailymetric" in q["sql"]]
    assert len(inserts) == 1
    return run, "ON CONFLICT" in inserts[0]


def by_day(client, model=DailyMetric):
    """Impressions and spend per day; detail rows' spend is derived (``with_spend``)."""
    rows = model.objects.filter(client=client)
    if model is DailyMetric:
        rows = with_spend(rows)
    return {
        row["date"].isoformat(): (row["impressions"], row["billed"])
        for row in rows.values("date")
        .annotate(impressions=Sum("impressions"), billed=Sum("spend"))
        .order_by("date")
    }


def test_new_days_are_inserted_and_restated_days_upserted_per_tenant(two_tenants):
    a, b = two_tenants.client_a, two_tenants.client_b
    # Borealis first, on the same day and names: Acme's day is still new to Acme.
    _, upsert_b = load(b, [("11/5/2025", 2000, 4, 0, "0")])
    assert not upsert_b
    # Two breakdown rows of one key: summed, then inserted once.
    run_a, upsert_a = load(a, [("11/5/2025", 1000, 2, 0, "0"), ("11/5/2025", 500, 1, 0, "0")])
    assert not upsert_a
    assert (run_a.rows_loaded, run_a.rows_replaced) == (2, 0)
    assert "1 new, 0 updated" in run_a.message

    # 11/3 already has Acme's row: the whole file goes through the upsert.
    restated, upsert = load(a, [("11/3/2025", 4000, 30, 3, "90"), ("11/6/2025", 250, 0, 0, "0")])
    assert upsert
    assert "1 new, 1 updated" in restated.message

    assert by_day(a) == {
        "2025-11-01": (1000, Decimal("15.000000")),
        "2025-11-02": (2000, Decimal("40.000000")),
        "2025-11-03": (4000, Decimal("80.000000")),
        "2025-11-05": (1500, Decimal("30.000000")),
        "2025-11-06": (250, Decimal("5.000000")),
    }
    assert by_day(b) == {
        "2025-11-02": (4000, Decimal("160.000000")),
        "2025-11-03": (5000, Decimal("250.000000")),
        "2025-11-04": (6000, Decimal("300.000000")),
        "2025-11-05": (2000, Decimal("100.000000")),
    }
    # One row per key: nothing duplicated by either path.
    assert DailyMetric.objects.filter(client=a).count() == 5
    assert DailyMetric.objects.filter(client=b).count() == 4
    assert by_day(a, CampaignDayRollup) == by_day(a)
    assert by_day(b, CampaignDayRollup) == by_day(b)


def test_the_same_new_day_loaded_twice_is_restated_not_duplicated(two_tenants):
    a = two_tenants.client_a
    _, upsert_first = load(a, [("11/7/2025", 700, 1, 0, "0")])
    second, upsert_second = load(a, [("11/7/2025", 900, 1, 0, "0")])
    assert (upsert_first, upsert_second) == (False, True)
    assert second.rows_replaced == 1
    assert by_day(a)["2025-11-07"] == (900, Decimal("18.000000"))
    assert DailyMetric.objects.filter(client=a, date="2025-11-07").count() == 1
    assert DailyMetric.objects.get(client=a, date="2025-11-07").ingestion_run_id == second.pk
