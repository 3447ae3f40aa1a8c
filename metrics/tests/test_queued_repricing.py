"""A CPM change costs days, not rows, and runs off the request (issues 13 and 15).

The rate is saved at once; the rollups of exactly the governed days are re-priced by a queued
task (django-q2, sync in tests: the task runs when the on-commit callback is called); until then
the dashboard page and API say "re-pricing" for that client only. Two tenants share campaign,
strategy, placement and creative names and days.

    Acme      CPM 15.00 from 2020; 30.00 from Nov 3    Borealis  CPM 15.00 from 2020
    both      10,000 impressions a day, Oct 31 - Nov 3, one creative (Spring Sale / Prospecting /
              Top / Banner)
    Acme adds 20.00 from Nov 1: Nov 1 - 2 go from 150 to 200; Oct 31 (the day before) stays
    150, Nov 3 stays 300 (the later rate governs it); Borealis stays 150 a day.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import AuditLog
from campaigns.tests.factories import CreativeFactory
from clients.models import CpmRate
from core import leases
from core.models import Lease
from metrics.cpm import cpm_rate_add
from metrics.models import (
    CampaignDayRollup,
    PlacementDayRollup,
    Repricing,
    RepricingStatus,
    StrategyDayRollup,
)
from metrics.tests.factories import DailyMetricFactory, rollups_built
from operations.sweeper import sweep_dead_leases

pytestmark = pytest.mark.django_db

DAYS = [dt.date(2025, 10, 31) + dt.timedelta(days=offset) for offset in range(4)]
NOV_1, NOV_3 = DAYS[1], DAYS[3]
RANGE = "start_date=2025-10-31&end_date=2025-11-03"


@pytest.fixture
def delivery(client_a, client_b):
    CpmRate.objects.create(client=client_a, cpm=Decimal("30"), effective_date=NOV_3)
    rows = []
    for client in (client_a, client_b):
        creative = CreativeFactory(
            name="Banner",
            placement__name="Top",
            placement__strategy__name="Prospecting",
            placement__strategy__campaign__name="Spring Sale",
            placement__strategy__campaign__client=client,
        )
        rows += [
            DailyMetricFactory(creative=creative, date=day, impressions=10_000) for day in DAYS
        ]
    rollups_built(*rows)


def spend_by_day(model, client):
    return dict(model.objects.filter(client=client).order_by("date").values_list("date", "spend"))


BEFORE = dict(zip(DAYS, [Decimal(150), Decimal(150), Decimal(150), Decimal(300)], strict=True))
AFTER = dict(zip(DAYS, [Decimal(150), Decimal(200), Decimal(200), Decimal(300)], strict=True))


def test_the_rate_is_saved_at_once_and_the_days_it_governs_repriced_by_the_task(
    delivery,
    client_a,
    client_b,
    admin_user,
    api,
    user_a,
    user_b,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        cpm_rate_add(client=client_a, cpm=Decimal("20"), effective_date=NOV_1, by=admin_user)
    # Saved in the request, with its audit entry; the re-pricing is queued, not done.
    assert CpmRate.objects.get(client=client_a, effective_date=NOV_1).cpm == Decimal("20")
    audit = AuditLog.objects.get(entity_type="clients.CpmRate")
    assert audit.new_values["days_repriced"] == "2025-11-01..2025-11-02"
    job = Repricing.objects.get()
    assert (job.client, job.date_from, job.date_to, job.status) == (
        client_a,
        NOV_1,
        dt.date(2025, 11, 2),
        RepricingStatus.QUEUED,
    )
    assert job.reason == "CPM from $15.00 to $20.00 from Nov 1, 2025"
    assert job.requested_by == admin_user
    assert len(queued) == 1
    for model in (CampaignDayRollup, StrategyDayRollup, PlacementDayRollup):
        assert spend_by_day(model, client_a) == BEFORE

    # Until the task ran: "re-pricing" for Acme's users, not for Borealis'.
    summary = api(user_a).get(f"/api/v1/dashboard/summary?{RANGE}").json()
    assert (summary["repricing"], summary["spend"]) == (["Acme Foods"], "750.000000")
    assert api(user_b).get(f"/api/v1/dashboard/summary?{RANGE}").json()["repricing"] == []
    overview = api(user_a).get(f"/api/v1/dashboard/overview?{RANGE}").json()
    assert overview["repricing"] == ["Acme Foods"]

    queued[0]()  # the worker

    job.refresh_from_db()
    assert (job.status, job.message) == (RepricingStatus.DONE, "2 campaign-days re-priced.")
    for model in (CampaignDayRollup, StrategyDayRollup, PlacementDayRollup):
        assert spend_by_day(model, client_a) == AFTER
        assert set(spend_by_day(model, client_b).values()) == {Decimal(150)}
    summary = api(user_a).get(f"/api/v1/dashboard/summary?{RANGE}").json()
    assert (summary["repricing"], summary["spend"]) == ([], "850.000000")


def test_the_dashboard_page_says_re_pricing_until_the_task_ran(
    delivery, client_a, admin_user, user_a, client, django_capture_on_commit_callbacks
):
    client.force_login(user_a)
    page = f"/dashboard/?{RANGE}"
    assert "Re-pricing." not in client.get(page).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as queued:
        cpm_rate_add(client=client_a, cpm=Decimal("20"), effective_date=NOV_1, by=admin_user)
    html = client.get(page).content.decode()
    assert "<strong>Re-pricing.</strong> A CPM change for Acme Foods is being applied" in html
    queued[0]()
    assert "Re-pricing." not in client.get(page).content.decode()


def test_running_the_task_twice_changes_nothing_more(
    delivery, client_a, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        cpm_rate_add(client=client_a, cpm=Decimal("20"), effective_date=NOV_1, by=admin_user)
    queued[0]()
    queued[0]()
    assert spend_by_day(CampaignDayRollup, client_a) == AFTER
    assert Repricing.objects.get().message == "2 campaign-days re-priced."


def test_a_killed_repricing_is_swept_and_queued_again(
    delivery, client_a, admin_user, settings, django_capture_on_commit_callbacks
):
    settings.LEASE_TIMEOUT_SECONDS = 120
    with django_capture_on_commit_callbacks(execute=False):
        cpm_rate_add(client=client_a, cpm=Decimal("20"), effective_date=NOV_1, by=admin_user)
    job = Repricing.objects.get()
    # A worker took it and died mid-way (its transaction rolled back with it): a running job
    # whose lease stopped beating.
    Repricing.objects.filter(pk=job.pk).update(status=RepricingStatus.RUNNING)
    leases.take(leases.REPRICING, job.pk)
    Lease.objects.update(heartbeat_at=timezone.now() - dt.timedelta(seconds=121))

    with django_capture_on_commit_callbacks(execute=True):
        swept = sweep_dead_leases()

    assert [(s.kind, s.object_id) for s in swept] == [(leases.REPRICING, job.pk)]
    job.refresh_from_db()
    assert job.status == RepricingStatus.DONE  # queued again, and run by the (sync) worker
    assert spend_by_day(CampaignDayRollup, client_a) == AFTER
    assert not Lease.objects.exists()
