"""Vibe reports that fail, or whose worker dies: resumed, never a duplicate report."""

import datetime as dt
import logging

import pytest
from django.core import mail

from ingestion.models import (
    ACTIVE_STATES,
    IngestionRun,
    ReportState,
    RunStatus,
    VibeKeyBudget,
    VibeReportRequest,
)
from ingestion.pipeline import start_run
from ingestion.sources.vibe import claims, flow
from ingestion.sources.vibe.flow import advance_report_request, ingest_vibe_day
from ingestion.sources.vibe.services import vibe_connection_set
from ingestion.tests.vibe_helpers import (
    DAY,
    a_request,
    drive,
    expected_totals,
    loaded_totals,
    step_once,
)
from tests.source_data import VIBE_ADVERTISER, VIBE_KEY

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "crash_in",
    [ReportState.REQUESTED, ReportState.POLLING, ReportState.READY, ReportState.DOWNLOADED],
)
def test_a_worker_dying_in_any_state_is_resumed_without_a_duplicate_report(
    client_a, vibe_connection, fake_vibe, vibe_clock, crash_in, monkeypatch
):
    monkeypatch.setattr(flow, "MAX_STEPS", 1)
    fake = fake_vibe.fake
    request = a_request(client_a, clock=vibe_clock)
    seen = []
    while request.state in ACTIVE_STATES:
        seen.append(request.state)
        if request.state == crash_in and seen.count(crash_in) == 1:
            vibe_clock.set(request.next_attempt_at)
            # A worker claims the request and dies before saving anything.
            assert claims.claim_request(request.pk, vibe_clock) is not None
            # Until the claim lapses nobody else touches it...
            assert advance_report_request(request.pk, clock=vibe_clock) == 0
            vibe_clock.advance(claims.CLAIM.total_seconds())
        # ...then a fresh worker (nothing in memory) carries on, one step at a time.
        step_once(request, vibe_clock)
    assert request.state == ReportState.LOADED
    assert crash_in in seen
    assert len(fake.api_calls("create_async_report")) == 1
    assert IngestionRun.objects.filter(status=RunStatus.SUCCESS).count() == 1
    assert loaded_totals(client_a)["impressions"] == expected_totals(DAY, DAY)["impressions"]


def test_a_worker_dying_inside_the_pipeline_reuses_its_run(
    client_a, vibe_connection, fake_vibe, vibe_clock, monkeypatch
):
    monkeypatch.setattr(flow, "MAX_STEPS", 1)
    request = a_request(client_a, clock=vibe_clock)
    while request.state != ReportState.DOWNLOADED:
        step_once(request, vibe_clock)
    # The worker started the run, linked it, and died before the pipeline finished.
    orphan = start_run(client=client_a, source="vibe", trigger="schedule")
    VibeReportRequest.objects.filter(pk=request.pk).update(run=orphan)
    drive(vibe_clock)
    request.refresh_from_db()
    orphan.refresh_from_db()
    assert request.state == ReportState.LOADED and request.run == orphan
    assert orphan.status == RunStatus.SUCCESS
    assert IngestionRun.objects.count() == 1


def test_a_wrong_key_is_refused_once_and_not_retried(
    client_a, fake_vibe, vibe_clock, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.DEBUG)
    vibe_connection_set(
        client=client_a,
        advertiser_id=VIBE_ADVERTISER,
        api_key="vb-wrong-key-0000",
        base_url=fake_vibe.base_url,
        by=None,
    )
    with django_capture_on_commit_callbacks(execute=True):
        run = ingest_vibe_day(client=client_a, day=DAY, trigger="manual", clock=vibe_clock)
    assert run.status == RunStatus.FAILED
    assert run.message == (
        "Could not create the report for Acme Foods on 2025-12-14: Vibe refused the API key "
        "(HTTP 403: Forbidden: invalid API key). Check the client's Vibe connection: the API key "
        "and advertiser id must match."
    )
    assert [(call.path, call.status) for call in fake_vibe.fake.calls] == [
        ("create_async_report", 403)
    ]
    drive(vibe_clock)
    assert len(fake_vibe.fake.calls) == 1
    assert len(mail.outbox) == 1
    assert VibeKeyBudget.objects.get().consecutive_failures == 1
    assert "vb-wrong-key-0000" not in caplog.text


def test_the_api_key_never_reaches_the_logs(
    client_a, vibe_connection, fake_vibe, vibe_clock, caplog
):
    caplog.set_level(logging.DEBUG)
    # Even an error body that echoes the key back is redacted.
    fake_vibe.fake.fail_next("create_async_report", 400, body=f"bad request for key {VIBE_KEY}")
    run = ingest_vibe_day(client=client_a, day=DAY, trigger="manual", clock=vibe_clock)
    assert run.status == RunStatus.FAILED
    assert "bad request for key ••••" in run.message
    run = ingest_vibe_day(client=client_a, day=DAY, trigger="manual", clock=vibe_clock)
    assert run.status == RunStatus.SUCCESS
    assert "vibe POST /create_async_report status=200" in caplog.text
    assert VIBE_KEY not in caplog.text
    assert VIBE_KEY not in str(VibeReportRequest.objects.values_list())
    assert VIBE_KEY not in str(IngestionRun.objects.values_list())


def test_no_connection_is_a_failed_run_with_guidance(client_a, vibe_clock):
    run = ingest_vibe_day(client=client_a, day=DAY, trigger="manual", clock=vibe_clock)
    assert run.status == RunStatus.FAILED
    assert run.message.startswith("Acme Foods has no enabled Vibe connection.")
    assert f"PUT /api/v1/clients/{client_a.pk}/connections/vibe" in run.message


def test_the_circuit_breaker_stops_calls_after_repeated_failures(
    client_a, vibe_connection, fake_vibe, vibe_clock, settings
):
    settings.VIBE_CIRCUIT_BREAKER_FAILURES = 3
    settings.VIBE_CIRCUIT_BREAKER_COOLDOWN_SECONDS = 900
    fake = fake_vibe.fake
    fake.fail_next("create_async_report", 500, times=3, body="Internal Server Error")
    request = a_request(client_a, clock=vibe_clock)
    for _ in range(3):
        vibe_clock.set(VibeReportRequest.objects.get().next_attempt_at)
        advance_report_request(request.pk, clock=vibe_clock)
    budget = VibeKeyBudget.objects.get()
    opened_at = vibe_clock.now()
    assert budget.consecutive_failures == 3
    assert budget.circuit_open_until == opened_at + dt.timedelta(seconds=900)
    request.refresh_from_db()
    # The request's own backoff (240 s) comes first; the breaker pushes it to the cool-down.
    vibe_clock.set(request.next_attempt_at)
    advance_report_request(request.pk, clock=vibe_clock)
    assert len(fake.calls) == 3
    request.refresh_from_db()
    assert request.next_attempt_at == budget.circuit_open_until
    assert "Vibe calls are paused after 3 failures in a row" in request.note
    drive(vibe_clock)
    request.refresh_from_db()
    assert request.state == ReportState.LOADED
    assert VibeKeyBudget.objects.get().consecutive_failures == 0
