"""Pacing and delivery alerts: the figures, the days, and never twice."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from campaigns.tests.factories import CampaignFactory
from ingestion.models import IngestionRun
from operations.scheduling import run_scheduled_job
from pacing.alerts import low_delivery_alerts_send, under_pace_alerts_send
from pacing.models import PacingAlert
from pacing.tests.factories import InsertionOrderFactory, delivered, nov, span

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(client_a):
    return CampaignFactory(client=client_a, name="Spring")


@pytest.fixture
def order(client_a, campaign):
    io = InsertionOrderFactory(client=client_a, name="Acme November")
    io.campaigns.set([campaign])
    return io


def test_under_pace_alerts_once_per_change(order, campaign):
    delivered(campaign, span(1, 10, 8_000))
    assert under_pace_alerts_send(today=nov(11)) == 1
    assert mail.outbox[0].subject == "[Dashboard] Under pace: Acme Foods 'Acme November'"
    assert mail.outbox[0].body.splitlines()[:7] == [
        "Client: Acme Foods",
        "Insertion order: Acme November (2025-11-01 to 2025-11-30)",
        "As of: 2025-11-10 (20 flight days left)",
        "Delivered: 80,000 impressions of 300,000 contracted",
        "Expected by now: 100,000",
        "Pace: 80.00 %",
        "Projected at flight end: 240,000",
    ]
    # Still under on the next check, or the next day: nothing more.
    assert under_pace_alerts_send(today=nov(11)) == 0
    delivered(campaign, {nov(11): 8_000})
    assert under_pace_alerts_send(today=nov(12)) == 0
    # Back on track (114,500 of 120,000 by Nov 12 is 95.42 %), then under again: a new alert.
    delivered(campaign, {nov(12): 26_500})
    assert under_pace_alerts_send(today=nov(13)) == 0
    delivered(campaign, {nov(13): 1_000})
    assert under_pace_alerts_send(today=nov(14)) == 1
    assert under_pace_alerts_send(today=nov(14)) == 0
    assert len(mail.outbox) == 2
    assert list(PacingAlert.objects.order_by("id").values_list("episode", "day")) == [
        (1, nov(10)),
        (2, nov(13)),
    ]


def test_no_under_pace_alert_with_fewer_than_three_days_left(order, campaign):
    delivered(campaign, span(1, 28, 8_000))
    assert under_pace_alerts_send(today=nov(29)) == 0
    assert mail.outbox == []


def test_an_order_on_track_from_the_start_gets_no_alert(order, campaign):
    delivered(campaign, span(1, 10, 10_000))
    assert under_pace_alerts_send(today=nov(11)) == 0


def scheduled_run(client, source, day):
    return IngestionRun.objects.create(
        client=client,
        source=source,
        requested_date=day,
        status="success",
        finished_at=timezone.now(),
    )


@pytest.fixture
def week_of_delivery(client_a, client_b):
    trailing = [10_000, 10_000, 8_000, 12_000, 10_000, 9_000, 11_000]  # median 10,000
    for client in (client_a, client_b):
        campaign = CampaignFactory(client=client, name="Spring")
        delivered(campaign, {nov(3 + index): value for index, value in enumerate(trailing)})
    return client_a, client_b


def test_a_low_day_of_a_scheduled_source_alerts_once(week_of_delivery):
    client_a, client_b = week_of_delivery
    low = CampaignFactory(client=client_a, name="Autumn", source="surfside")
    delivered(CampaignFactory(client=client_b, name="Spring B"), {nov(10): 5_000})
    delivered(low, {nov(10): 4_000})
    scheduled_run(client_a, "surfside", nov(10))
    scheduled_run(client_b, "surfside", nov(10))
    # Borealis's 5,000 is half its median: not "less than half".
    assert low_delivery_alerts_send() == 1
    assert mail.outbox[0].subject == "[Dashboard] Low delivery: Acme Foods Surfside 2025-11-10"
    assert mail.outbox[0].body.splitlines() == [
        "Client: Acme Foods",
        "Source: Surfside",
        "Day: 2025-11-10",
        "Delivered: 4,000 impressions, 40.0 % of the trailing median",
        "Trailing 7-day median: 10,000 impressions (2025-11-03 to 2025-11-09, 7 days with data)",
    ]
    # The same client, source and day is never alerted twice.
    scheduled_run(client_a, "surfside", nov(10))
    assert low_delivery_alerts_send() == 0
    assert len(mail.outbox) == 1


def test_uploads_and_failed_runs_are_not_judged(week_of_delivery, client_a):
    IngestionRun.objects.create(
        client=client_a,
        source="facebook",
        status="success",
        finished_at=timezone.now(),
        date_to=nov(10),
    )
    IngestionRun.objects.create(
        client=client_a,
        source="surfside",
        status="failed",
        finished_at=timezone.now(),
        requested_date=nov(10),
    )
    assert low_delivery_alerts_send() == 0


def test_the_scheduler_runs_the_alerts_every_tick(order, campaign):
    delivered(campaign, {timezone.localdate() - dt.timedelta(days=1): 1})
    order.start_date = timezone.localdate() - dt.timedelta(days=5)
    order.end_date = timezone.localdate() + dt.timedelta(days=20)
    order.save()
    assert run_scheduled_job("pacing_alerts") == "ran"
    assert PacingAlert.objects.filter(order=order, kind="under_pace").count() == 1
