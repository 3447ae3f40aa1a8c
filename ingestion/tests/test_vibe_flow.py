"""The Vibe report flow against the fake Vibe over real HTTP on loopback, on a hand-moved clock."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from ingestion.models import (
    ReportState,
    RunStatus,
    VibeKeyBudget,
    VibeReportRequest,
)
from ingestion.sources.vibe import flow
from ingestion.sources.vibe.flow import advance_report_request, ingest_vibe_day, vibe_backfill
from ingestion.sources.vibe.services import vibe_connection_set
from ingestion.sources.vibe.tasks import vibe_daily_pull
from ingestion.tests.vibe_helpers import (
    DAY,
    a_request,
    drive,
    expected_totals,
    gaps,
    loaded_totals,
    step_once,
)
from metrics.models import DailyMetric
from tests.source_data import VIBE_ADVERTISER, VIBE_KEY

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status_case", ["lower", "upper"])
def test_a_vibe_day_loads_exactly(client_a, vibe_connection, fake_vibe, vibe_clock, status_case):
    fake = fake_vibe.fake
    fake.config.status_case = status_case
    fake.config.ready_after_polls = 2
    lines = []
    run = ingest_vibe_day(
        client=client_a, day=DAY, trigger="manual", echo=lines.append, clock=vibe_clock
    )
    assert run.status == RunStatus.SUCCESS, run.message
    expected = expected_totals(DAY, DAY)
    totals = loaded_totals(client_a)
    assert {key: totals[key] for key in expected} == expected
    # Billed at the client's CPM (15.00), CTV has no clicks.
    assert totals["spend"] == Decimal(expected["impressions"]) * Decimal("15") / 1000
    assert totals["clicks"] == 0
    # 180 geo rows collapse onto 20 (campaign, strategy, channel, creative) rows of the day.
    assert run.rows_read == 60 and DailyMetric.objects.filter(client=client_a).count() == 20
    assert [call.path for call in fake.calls] == [
        "create_async_report",
        "get_report_status",
        "get_report_status",
        "download",
    ]
    assert [call.sent_api_key for call in fake.calls] == [True, True, True, False]
    request = VibeReportRequest.objects.get()
    assert (request.state, request.run, request.polls) == (ReportState.LOADED, run, 2)
    assert run.requested_date == DAY and run.source == "vibe"
    assert any("created at Vibe" in line for line in lines)
    assert lines[-1].startswith(f"Run #{run.pk}: success")


def test_polls_are_at_least_the_minimum_interval_apart_and_back_off(
    client_a, vibe_connection, fake_vibe, vibe_clock, settings
):
    settings.VIBE_FIRST_POLL_DELAY_SECONDS = 0
    fake_vibe.fake.config.ready_after_polls = 6
    run = ingest_vibe_day(client=client_a, day=DAY, trigger="manual", clock=vibe_clock)
    assert run.status == RunStatus.SUCCESS
    polls = [call.at for call in fake_vibe.fake.calls if call.path == "get_report_status"]
    assert gaps(polls) == [10, 20, 40, 80, 160]


def test_429_on_create_waits_for_the_retry_after(
    client_a, client_b, vibe_connection, fake_vibe, vibe_clock
):
    fake = fake_vibe.fake
    fake.fail_next(
        "create_async_report",
        429,
        body="Too Many Requests",
        headers={"x-rate-limit-retry-after": "120"},
    )
    # Client B shares the key: Vibe's pause applies to every call made with it.
    vibe_connection_set(
        client=client_b,
        advertiser_id=VIBE_ADVERTISER,
        api_key=VIBE_KEY,
        base_url=fake_vibe.base_url,
        by=None,
    )
    first = a_request(client_a, clock=vibe_clock)
    started = vibe_clock.now()
    advance_report_request(first.pk, clock=vibe_clock)
    first.refresh_from_db()
    assert first.next_attempt_at == started + dt.timedelta(seconds=120)
    assert "Vibe's rate limit was reached (HTTP 429): Too Many Requests" in first.last_error
    second = a_request(client_b, clock=vibe_clock)
    vibe_clock.advance(119)
    advance_report_request(second.pk, clock=vibe_clock)
    assert len(fake.calls) == 1
    second.refresh_from_db()
    assert second.next_attempt_at == started + dt.timedelta(seconds=120)
    assert "Vibe rate limit" in second.note
    vibe_clock.advance(1)
    drive(vibe_clock)
    assert len(fake.api_calls("create_async_report")) == 3
    assert fake.api_calls("create_async_report")[1].at == started + dt.timedelta(seconds=120)
    assert set(VibeReportRequest.objects.values_list("state", flat=True)) == {"loaded"}


def test_server_errors_are_retried_with_backoff_then_succeed(
    client_a, vibe_connection, fake_vibe, vibe_clock
):
    fake = fake_vibe.fake
    fake.fail_next("create_async_report", 503, times=2, body="Service Unavailable: try later")
    request = a_request(client_a, clock=vibe_clock)
    started = vibe_clock.now()
    drive(vibe_clock)
    creates = [call.at - started for call in fake.api_calls("create_async_report")]
    assert creates == [dt.timedelta(0), dt.timedelta(seconds=60), dt.timedelta(seconds=180)]
    request.refresh_from_db()
    assert request.state == ReportState.LOADED
    assert request.retries == 0 and request.last_error == ""
    budget = VibeKeyBudget.objects.get()
    assert budget.consecutive_failures == 0 and budget.circuit_open_until is None


def test_a_timeout_is_retried(client_a, vibe_connection, fake_vibe, vibe_clock, settings):
    settings.VIBE_HTTP_TIMEOUT_SECONDS = 0.2
    fake_vibe.fake.fail_next("get_report_status", 200, stall_seconds=0.6)
    request = a_request(client_a, clock=vibe_clock)
    advance_report_request(request.pk, clock=vibe_clock)
    vibe_clock.advance(60)
    advance_report_request(request.pk, clock=vibe_clock)
    request.refresh_from_db()
    assert request.state == ReportState.POLLING
    assert request.last_error == "Vibe did not answer /get_report_status within 0.2 s."
    assert request.retries == 1
    drive(vibe_clock)
    request.refresh_from_db()
    assert request.state == ReportState.LOADED
    assert len(fake_vibe.fake.api_calls("create_async_report")) == 1


def test_a_report_never_ready_fails_at_its_deadline_with_one_alert(
    client_a, vibe_connection, fake_vibe, vibe_clock, django_capture_on_commit_callbacks
):
    fake_vibe.fake.config.never_ready = True
    with django_capture_on_commit_callbacks(execute=True):
        run = ingest_vibe_day(client=client_a, day=DAY, trigger="schedule", clock=vibe_clock)
    request = VibeReportRequest.objects.get()
    assert request.state == ReportState.FAILED
    assert run.status == RunStatus.FAILED and request.run == run
    assert f"Vibe report {request.report_id} for Acme Foods on 2025-12-14 was still" in run.message
    assert "at its deadline, 6 h after it was created" in run.message
    # The last poll falls on the deadline itself.
    polls = fake_vibe.fake.api_calls("get_report_status")
    assert polls[-1].at == request.deadline
    # Gaps of 60, 120, 240, 480 s, then 900 s (the maximum interval) until the deadline (6 h).
    between = gaps([poll.at for poll in polls])
    assert between[:5] == [60, 120, 240, 480, 900] and max(between) == 900
    assert len(polls) == 28
    assert len(mail.outbox) == 1
    assert "Ingestion failed: Acme Foods Vibe 2025-12-14" in mail.outbox[0].subject
    assert "at its deadline" in mail.outbox[0].body
    # Running the pass again changes nothing and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        drive(vibe_clock)
    assert len(mail.outbox) == 1


def test_an_error_status_fails_the_report_with_vibes_reason(
    client_a, vibe_connection, fake_vibe, vibe_clock, django_capture_on_commit_callbacks
):
    fake_vibe.fake.config.report_error = "Report generation failed: internal error"
    with django_capture_on_commit_callbacks(execute=True):
        run = ingest_vibe_day(client=client_a, day=DAY, trigger="manual", clock=vibe_clock)
    assert run.status == RunStatus.FAILED
    assert "Vibe could not produce report" in run.message
    assert "Report generation failed: internal error" in run.message
    assert len(mail.outbox) == 1
    assert len(fake_vibe.fake.api_calls("create_async_report")) == 1


def test_an_expired_link_is_refreshed_by_polling_not_by_a_new_report(
    client_a, vibe_connection, fake_vibe, vibe_clock
):
    fake = fake_vibe.fake
    fake.config.expire_links = 1
    run = ingest_vibe_day(client=client_a, day=DAY, trigger="manual", clock=vibe_clock)
    assert run.status == RunStatus.SUCCESS
    assert [(call.path, call.status) for call in fake.calls] == [
        ("create_async_report", 200),
        ("get_report_status", 200),
        ("download", 403),
        ("get_report_status", 200),
        ("download", 200),
    ]
    polls = fake.api_calls("get_report_status")
    assert polls[1].at - polls[0].at >= dt.timedelta(seconds=10)


def test_a_link_older_than_a_day_is_refreshed_before_it_is_tried(
    client_a, vibe_connection, fake_vibe, vibe_clock, monkeypatch
):
    monkeypatch.setattr(flow, "MAX_STEPS", 1)
    request = a_request(client_a, clock=vibe_clock)
    while request.state != ReportState.READY:
        step_once(request, vibe_clock)
    # The worker died before downloading and nobody looked at it for a day.
    vibe_clock.advance(23 * 3600 + 60)
    step_once(request, vibe_clock)
    assert request.state == ReportState.POLLING
    assert "The download link is too old" in request.note
    assert [call.path for call in fake_vibe.fake.calls].count("download") == 0
    drive(vibe_clock)
    assert [call.path for call in fake_vibe.fake.calls] == [
        "create_async_report",
        "get_report_status",
        "get_report_status",
        "download",
    ]


def test_the_daily_pull_asks_for_the_trailing_window_once_and_replaces_those_days(
    client_a, vibe_connection, fake_vibe, vibe_clock
):
    first_id = vibe_daily_pull(client_a.pk)
    assert vibe_daily_pull(client_a.pk) == first_id
    request = VibeReportRequest.objects.get()
    assert (request.end_date - request.start_date).days == 2
    assert request.end_date < dt.date.today()
    drive(vibe_clock)
    start, end = request.start_date, request.end_date
    assert loaded_totals(client_a)["impressions"] == expected_totals(start, end)["impressions"]
    rows = DailyMetric.objects.filter(client=client_a).count()
    # Vibe restates the days: the next pull replaces them (no double counting).
    fake_vibe.fake.config.revision = 1
    second_id = vibe_daily_pull(client_a.pk)
    assert second_id != first_id
    drive(vibe_clock)
    restated = expected_totals(start, end, revision=1)
    totals = loaded_totals(client_a)
    assert {key: totals[key] for key in restated} == restated
    assert DailyMetric.objects.filter(client=client_a).count() == rows
    assert VibeReportRequest.objects.get(pk=second_id).run.rows_replaced > 0


def test_backfill_splits_ranges_and_interleaves_clients(client_a, client_b, fake_vibe, vibe_clock):
    for client, advertiser in ((client_a, "adv-a"), (client_b, "adv-b")):
        vibe_connection_set(
            client=client,
            advertiser_id=advertiser,
            api_key=VIBE_KEY,
            base_url=fake_vibe.base_url,
            by=None,
        )
    ids = vibe_backfill(
        clients=[client_a, client_b],
        start=dt.date(2025, 1, 1),
        end=dt.date(2025, 4, 10),
        clock=vibe_clock,
    )
    requests = {request.pk: request for request in VibeReportRequest.objects.all()}
    ranges = [
        (requests[pk].client.slug, requests[pk].start_date, requests[pk].end_date) for pk in ids
    ]
    assert ranges == [
        ("acme", dt.date(2025, 1, 1), dt.date(2025, 2, 14)),
        ("borealis", dt.date(2025, 1, 1), dt.date(2025, 2, 14)),
        ("acme", dt.date(2025, 2, 15), dt.date(2025, 3, 31)),
        ("borealis", dt.date(2025, 2, 15), dt.date(2025, 3, 31)),
        ("acme", dt.date(2025, 4, 1), dt.date(2025, 4, 10)),
        ("borealis", dt.date(2025, 4, 1), dt.date(2025, 4, 10)),
    ]
    due = [requests[pk].next_attempt_at for pk in ids]
    assert due == sorted(due)
    # Asking again reuses the unfinished requests.
    assert (
        vibe_backfill(
            clients=[client_a, client_b],
            start=dt.date(2025, 1, 1),
            end=dt.date(2025, 4, 10),
            clock=vibe_clock,
        )
        == ids
    )
    drive(vibe_clock)
    assert set(VibeReportRequest.objects.values_list("state", flat=True)) == {"loaded"}
    creates = [call.report_id for call in fake_vibe.fake.api_calls("create_async_report")]
    advertisers = [fake_vibe.fake.reports[report_id].advertiser_id for report_id in creates]
    assert advertisers == ["adv-a", "adv-b"] * 3
    totals = expected_totals(dt.date(2025, 1, 1), dt.date(2025, 4, 10), advertiser="adv-a")
    assert loaded_totals(client_a)["impressions"] == totals["impressions"]
