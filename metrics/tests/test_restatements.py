"""Restatements (SPEC 9 "Explained"): every writer that changes a closed week or month records
what changed, once, with why and by whom; changes inside open periods record nothing.

Acme and Borealis (tests/two_tenants.py) share names and dates. Every week and month of their
November 2025 data ended long before today, so it is closed.

    Acme  Nov 1 (Sat) 1,000 imps at $15, Nov 2 (Sun) 2,000 at $20, Nov 3 (Mon) 3,000 at $20
    week Oct 27-Nov 2: spend 15 + 40 = $55; week Nov 3-9: $60; November: $115
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.models import Source
from clients.models import CpmRate
from conftest import api_client_for
from ingestion.models import FacebookUpload
from ingestion.pipeline import run_ingestion
from ingestion.sources.facebook.services import facebook_upload_undo
from ingestion.tests.test_uploads import upload
from metrics.models import PeriodClosure, Restatement
from metrics.tests.queued import cpm_rate_add, cpm_rate_change, cpm_rate_delete
from tests.two_tenants import ACME_DAYS, surfside_file

pytestmark = pytest.mark.django_db

NOV_3 = dt.date(2025, 11, 3)
NOV_1 = dt.date(2025, 11, 1)


def rows(client):
    return sorted(
        (r.source, r.period_type, r.period_start, r.period_end, r.measure, r.before, r.after)
        for r in Restatement.objects.filter(client=client)
    )


def test_a_cpm_change_over_closed_weeks_is_recorded_once_with_exact_spend(two_tenants, admin_user):
    a, b = two_tenants.client_a, two_tenants.client_b
    assert not Restatement.objects.exists()  # first deliveries restate nothing

    cpm_rate_add(client=a, cpm=Decimal("25.00"), effective_date=NOV_3, by=admin_user)

    # Nov 3: 3,000 imps x $25 = $75 instead of $60. The week before is untouched.
    assert rows(a) == [
        ("surfside", "month", NOV_1, dt.date(2025, 11, 30), "spend", Decimal(115), Decimal(130)),
        ("surfside", "week", NOV_3, dt.date(2025, 11, 9), "spend", Decimal(60), Decimal(75)),
    ]
    assert rows(b) == []
    restated = Restatement.objects.filter(client=a)
    assert {r.reason for r in restated} == {"CPM from $20.00 to $25.00 from Nov 3, 2025"}
    assert {r.by for r in restated} == {admin_user}

    # The same file loaded again changes no total: nothing more is recorded.
    run_ingestion(
        client=a, source=Source.SURFSIDE, content=surfside_file(ACME_DAYS), file_name="a.csv"
    )
    assert Restatement.objects.count() == 2


def test_changing_and_deleting_a_rate_name_the_old_and_new_rate(two_tenants, admin_user):
    a = two_tenants.client_a
    rate = CpmRate.objects.get(client=a, effective_date=dt.date(2025, 11, 2))
    cpm_rate_change(rate=rate, by=admin_user, cpm=Decimal("12.50"))
    # Nov 2-3: 5,000 imps x 12.50 = $62.50 instead of $100.
    change = Restatement.objects.filter(client=a, period_type="month").get()
    assert (change.before, change.after, change.reason) == (
        Decimal(115),
        Decimal("77.5"),
        "CPM from $20.00 to $12.50 from Nov 2, 2025",
    )
    cpm_rate_delete(rate=CpmRate.objects.get(pk=rate.pk), by=admin_user)
    # Back to $15 from 2020: Nov 2-3 at $15 = $75; the month $90.
    removal = Restatement.objects.filter(client=a, period_type="month").order_by("-id").first()
    assert (removal.before, removal.after, removal.reason) == (
        Decimal("77.5"),
        Decimal(90),
        "CPM of $12.50 from Nov 2, 2025 removed; back to $15.00",
    )


def test_a_re_delivered_file_restates_the_closed_week_it_changes(two_tenants):
    a = two_tenants.client_a
    run_ingestion(
        client=a,
        source=Source.SURFSIDE,
        content=surfside_file([("11/3/2025", 3500, 30, 3, "90.00")]),
        file_name="nov-3.csv",
    )
    # 500 more impressions at $20: +$10.
    assert rows(a) == [
        ("surfside", "month", NOV_1, dt.date(2025, 11, 30), "impressions", 6000, 6500),
        ("surfside", "month", NOV_1, dt.date(2025, 11, 30), "spend", Decimal(115), Decimal(125)),
        ("surfside", "week", NOV_3, dt.date(2025, 11, 9), "impressions", 3000, 3500),
        ("surfside", "week", NOV_3, dt.date(2025, 11, 9), "spend", Decimal(60), Decimal(70)),
    ]
    assert {r.reason for r in Restatement.objects.all()} == {
        "Surfside file 'nov-3.csv' for Nov 3, 2025 re-delivered"
    }


def vibe_file(day: dt.date, impressions: int) -> bytes:
    return (
        "impression_date,campaign_name,strategy_name,channel_name,creative_name,impressions,"
        "clicks,number_of_purchases,amount_of_purchases,spend\n"
        f"{day.isoformat()},CTV,Prospecting,Top,Spot,{impressions},0,1,10.00,2.00\n"
    ).encode()


def fetch(client, day, impressions):
    return run_ingestion(
        client=client,
        source=Source.VIBE,
        content=vibe_file(day, impressions),
        file_name=f"vibe-{day}.csv",
    )


def test_a_vibe_re_fetch_inside_an_open_week_is_settling_not_a_restatement(client_a, client_b):
    day = timezone.localdate() - dt.timedelta(days=2)  # its week ends at most 5 days ago
    fetch(client_a, day, 1000)
    fetch(client_b, day, 1000)
    assert fetch(client_a, day, 1200).status == "success"
    assert not Restatement.objects.exists()


def test_a_vibe_re_fetch_after_the_week_closed_is_one_restatement(client_a, client_b):
    day = timezone.localdate() - dt.timedelta(days=60)  # its week and month are closed
    fetch(client_a, day, 1000)
    fetch(client_b, day, 1000)
    assert not Restatement.objects.exists()
    fetch(client_a, day, 1200)
    week = day - dt.timedelta(days=day.weekday())
    # 200 more impressions at Acme's $15: $15.00 -> $18.00.
    assert [
        (r.source, r.measure, r.before, r.after)
        for r in Restatement.objects.filter(
            client=client_a, period_type="week", period_start=week
        ).order_by("measure")
    ] == [("vibe", "impressions", 1000, 1200), ("vibe", "spend", Decimal(15), Decimal(18))]
    assert Restatement.objects.filter(client=client_a, period_type="month").count() == 2
    assert not Restatement.objects.filter(client=client_b).exists()
    reason = Restatement.objects.filter(client=client_a).values_list("reason", flat=True)[0]
    assert reason.startswith("Vibe data for ") and reason.endswith(" re-fetched")


def test_a_week_closed_by_sending_its_summary_is_restated_inside_the_settling_days(client_a):
    day = timezone.localdate() - dt.timedelta(days=2)
    week = day - dt.timedelta(days=day.weekday())
    fetch(client_a, day, 1000)
    PeriodClosure.objects.create(
        client=client_a, period_type="week", start=week, closed_at=timezone.now()
    )
    fetch(client_a, day, 1200)
    assert [
        (r.period_type, r.measure, r.before, r.after)
        for r in Restatement.objects.filter(client=client_a).order_by("measure")
    ] == [("week", "impressions", 1000, 1200), ("week", "spend", Decimal(15), Decimal(18))]


def test_undoing_an_upload_over_a_closed_week_is_a_restatement(two_tenants, user_a, admin_user):
    upload(api_client_for, user_a)
    # Facebook's first data for Acme's closed week is a late delivery, not a restatement.
    assert rows(two_tenants.client_a) == []
    facebook_upload_undo(upload=FacebookUpload.objects.get(), by=admin_user)
    undone = Restatement.objects.filter(client=two_tenants.client_a, period_type="week")
    # Nov 3 2,500 imps and Nov 4 500, 9 clicks, at Acme's $20 = $60.
    assert sorted((r.measure, r.before, r.after) for r in undone) == [
        ("clicks", 9, 0),
        ("impressions", 3000, 0),
        ("spend", Decimal(60), Decimal(0)),
    ]
    assert {(r.reason, r.by) for r in undone} == {("Upload 'meta.csv' undone", admin_user)}
    assert not Restatement.objects.filter(client=two_tenants.client_b).exists()


def test_a_late_first_file_for_a_day_of_a_closed_week_is_not_a_restatement(two_tenants):
    a = two_tenants.client_a
    run_ingestion(
        client=a,
        source=Source.SURFSIDE,
        content=surfside_file([("11/4/2025", 500, 5, 0, "0")]),
        file_name="nov-4.csv",
    )
    assert rows(a) == []


def test_a_late_file_for_a_week_whose_summary_was_sent_is_a_restatement(two_tenants):
    a = two_tenants.client_a
    PeriodClosure.objects.create(
        client=a, period_type="week", start=NOV_3, closed_at=timezone.now()
    )
    run_ingestion(
        client=a,
        source=Source.SURFSIDE,
        content=surfside_file([("11/4/2025", 500, 5, 0, "0")]),
        file_name="nov-4.csv",
    )
    # Nov 4: 500 imps x $20 = $10 more in the sent week; November, not sent, is not restated.
    assert rows(a) == [
        ("surfside", "week", NOV_3, dt.date(2025, 11, 9), "clicks", 30, 35),
        ("surfside", "week", NOV_3, dt.date(2025, 11, 9), "impressions", 3000, 3500),
        ("surfside", "week", NOV_3, dt.date(2025, 11, 9), "spend", Decimal(60), Decimal(70)),
    ]
    assert Restatement.objects.first().reason == (
        "Surfside file 'nov-4.csv' for Nov 4, 2025 delivered late"
    )
