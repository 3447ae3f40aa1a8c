"""The per-key budget and circuit breaker, kept in PostgreSQL and shared by every worker."""

import datetime as dt
import threading

import pytest
from django.db import connection

from clients.tests.factories import ClientFactory
from ingestion.models import ReportState, VibeKeyBudget, VibeReportRequest
from ingestion.sources.vibe.budget import (
    CallOutcome,
    budget_after_call,
    budget_counts,
    budget_reserve,
)
from ingestion.sources.vibe.client import RateLimit
from ingestion.sources.vibe.services import report_request_create, vibe_connection_set
from ingestion.sources.vibe.tasks import advance_due_vibe_reports
from ingestion.tests.vibe_helpers import max_calls_in_any_hour, next_due
from tests.source_data import VIBE_KEY

T0 = dt.datetime(2026, 1, 5, 15, 0, tzinfo=dt.UTC)
KEY = {"key_fingerprint": "f" * 64, "key_last4": "1234"}


def reserve(at, counted=True):
    return budget_reserve(**KEY, counted=counted, now=at)


def after(at, outcome, stamp=None, **kwargs):
    budget_after_call(**KEY, stamp=stamp, now=at, outcome=outcome, **kwargs)


def minutes(n):
    return dt.timedelta(minutes=n)


@pytest.mark.django_db
def test_fifteen_requests_per_rolling_hour_then_not_before_the_oldest_leaves():
    for n in range(15):
        assert reserve(T0 + minutes(n)).granted
    refused = reserve(T0 + minutes(20))
    assert not refused.granted
    assert refused.not_before == T0 + minutes(60)
    assert refused.reason == ("the hourly Vibe budget is used (15 of 15 requests in the last hour)")
    assert reserve(T0 + minutes(60)).granted
    assert reserve(T0 + minutes(60)).not_before == T0 + minutes(61)
    budget = VibeKeyBudget.objects.get()
    assert budget.requests_sent == 16 and len(budget.request_times) == 15


@pytest.mark.django_db
def test_a_slot_counts_from_when_the_answer_arrived():
    for n in range(15):
        decision = reserve(T0)
        # A slow answer: Vibe may have received the call as late as this.
        after(T0 + dt.timedelta(seconds=n + 1), CallOutcome.SUCCESS, stamp=decision.stamp)
    assert reserve(T0 + minutes(60)).not_before == T0 + minutes(60) + dt.timedelta(seconds=1)


@pytest.mark.django_db
def test_polls_count_unless_only_creations_are_counted(settings):
    assert budget_counts(creates_report=False)
    settings.VIBE_BUDGET_COUNTS_ONLY_CREATE = True
    assert not budget_counts(creates_report=False)
    assert budget_counts(creates_report=True)
    for _ in range(15):
        assert reserve(T0).granted
    assert not reserve(T0, counted=True).granted
    assert reserve(T0, counted=False).granted


@pytest.mark.django_db
def test_a_429_pauses_every_call_with_the_key_for_the_retry_after():
    after(
        T0,
        CallOutcome.RATE_LIMITED,
        rate_limit=RateLimit(retry_after_seconds=90),
        error="HTTP 429",
    )
    for counted in (True, False):
        decision = reserve(T0 + dt.timedelta(seconds=89), counted=counted)
        assert not decision.granted and decision.not_before == T0 + dt.timedelta(seconds=90)
        assert decision.reason == "Vibe rate limit: HTTP 429"
    assert reserve(T0 + dt.timedelta(seconds=90)).granted


@pytest.mark.django_db
def test_vibe_saying_no_requests_left_holds_counted_calls_until_its_reset_time():
    reset_at = T0 + minutes(40)
    after(T0, CallOutcome.SUCCESS, rate_limit=RateLimit(limit=15, remaining=0, reset_at=reset_at))
    budget = VibeKeyBudget.objects.get()
    assert (budget.vendor_limit, budget.vendor_remaining, budget.vendor_reset_at) == (
        15,
        0,
        reset_at,
    )
    assert reserve(T0 + minutes(39)).not_before == reset_at
    # Only counted calls: Vibe's count says nothing about calls it does not count.
    assert reserve(T0 + minutes(39), counted=False).granted
    assert reserve(reset_at).granted


@pytest.mark.django_db
def test_the_circuit_opens_after_repeated_failures_and_closes_on_success(settings):
    settings.VIBE_CIRCUIT_BREAKER_FAILURES = 3
    settings.VIBE_CIRCUIT_BREAKER_COOLDOWN_SECONDS = 600
    for n in range(3):
        after(T0 + minutes(n), CallOutcome.FAILURE, error="HTTP 503")
    budget = VibeKeyBudget.objects.get()
    assert budget.circuit_open_until == T0 + minutes(12)
    refused = reserve(T0 + minutes(5))
    assert refused.not_before == T0 + minutes(12)
    assert refused.reason == "Vibe calls are paused after 3 failures in a row (last: HTTP 503)"
    # After the cool-down one call is let through; a failure reopens at once...
    assert reserve(T0 + minutes(12)).granted
    after(T0 + minutes(12), CallOutcome.FAILURE, error="HTTP 503")
    assert not reserve(T0 + minutes(13)).granted
    # ...a success closes it.
    after(T0 + minutes(30), CallOutcome.SUCCESS)
    budget.refresh_from_db()
    assert (budget.consecutive_failures, budget.circuit_open_until) == (0, None)
    # Request-specific refusals (an unknown report) say nothing about the key.
    after(T0 + minutes(31), CallOutcome.NEUTRAL, error="HTTP 404")
    budget.refresh_from_db()
    assert budget.consecutive_failures == 0


@pytest.mark.django_db(transaction=True)
def test_two_processes_racing_for_the_last_slots_never_get_more_than_fifteen():
    start = threading.Barrier(2)
    granted = []

    def worker():
        try:
            start.wait(timeout=10)
            for _ in range(20):
                granted.append(reserve(T0).granted)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert granted.count(True) == 15 and len(granted) == 40


@pytest.mark.django_db(transaction=True)
def test_two_workers_sharing_one_key_never_send_more_than_15_requests_in_any_hour(
    fake_vibe, vibe_clock
):
    fake = fake_vibe.fake
    fake.config.ready_after_polls = 2
    for n in range(12):
        client = ClientFactory()
        vibe_connection_set(
            client=client,
            advertiser_id=f"adv-{n}",
            api_key=VIBE_KEY,
            base_url=fake_vibe.base_url,
            by=None,
        )
        report_request_create(
            client=client,
            start_date=dt.date(2025, 12, 14),
            end_date=dt.date(2025, 12, 14),
            trigger="schedule",
            now=vibe_clock.now(),
        )
    # Each round, both workers run the minute task at the same moment; then the clock jumps.
    rounds = threading.Barrier(3, timeout=60)
    finished = threading.Event()
    errors = []

    def worker():
        try:
            while True:
                rounds.wait()
                if finished.is_set():
                    return
                advance_due_vibe_reports(clock=vibe_clock)
                rounds.wait()
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
            rounds.abort()
        finally:
            connection.close()

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for thread in workers:
        thread.start()
    try:
        for _ in range(200):
            rounds.wait()
            rounds.wait()
            due = next_due()
            if due is None:
                break
            vibe_clock.set(due)
        finished.set()
        rounds.wait()
    finally:
        for thread in workers:
            thread.join(timeout=30)
    assert errors == []
    assert set(VibeReportRequest.objects.values_list("state", flat=True)) == {ReportState.LOADED}
    calls = fake.api_calls()
    assert len(fake.api_calls("create_async_report")) == 12
    assert len(calls) == 36  # 12 creates and 24 polls: no call was sent twice
    assert max_calls_in_any_hour([call.at for call in calls]) == 15
    assert all(call.status == 200 for call in calls)
