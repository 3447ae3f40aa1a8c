"""Helpers for the Vibe tests: a clock moved by hand and a driver that runs the scheduled task
the way the minute schedule would, jumping straight to the next moment something is due."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from decimal import Decimal

from django.db.models import Min, Sum
from django.utils import timezone

from devtools.fake_vibe.reports import report_rows
from ingestion.models import ACTIVE_STATES, VibeReportRequest
from ingestion.sources.vibe.flow import advance_report_request
from ingestion.sources.vibe.services import report_request_create
from ingestion.sources.vibe.tasks import advance_due_vibe_reports
from metrics.models import DailyMetric
from metrics.pricing import with_spend
from tests.source_data import VIBE_ADVERTISER


class FakeClock:
    """Starts at the real time (report days stay in the past) and moves only when told; thread-
    safe, so two workers and the fake server can share it. ``sleep`` moves it instead of waiting."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self._now = start or timezone.now()
        self._lock = threading.Lock()

    def now(self) -> dt.datetime:
        with self._lock:
            return self._now

    def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += dt.timedelta(seconds=seconds)

    def set(self, moment: dt.datetime) -> None:
        with self._lock:
            self._now = max(self._now, moment)


def next_due() -> dt.datetime | None:
    return VibeReportRequest.objects.filter(state__in=ACTIVE_STATES).aggregate(
        due=Min("next_attempt_at")
    )["due"]


def drive(clock: FakeClock, *, max_passes: int = 1000) -> int:
    """Run ``advance_due_vibe_reports`` until no request is unfinished; returns the passes."""
    for passes in range(1, max_passes + 1):
        advance_due_vibe_reports(clock=clock)
        due = next_due()
        if due is None:
            return passes
        clock.set(due)
    raise AssertionError("the Vibe requests did not settle")


def max_calls_in_any_hour(times: list[dt.datetime]) -> int:
    """The most calls that fall within any rolling hour."""
    ordered = sorted(times)
    most = 0
    start = 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= dt.timedelta(hours=1):
            start += 1
        most = max(most, end - start + 1)
    return most


def gaps(times: list[dt.datetime]) -> list[float]:
    """Seconds between successive moments."""
    return [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]


# --- Requests and totals of the flow tests ----------------------------------------------------

DAY = dt.date(2025, 12, 14)


def expected_totals(start, end, *, revision=0, advertiser=VIBE_ADVERTISER):
    rows = report_rows(advertiser, start, end, revision=revision)
    return {
        "impressions": sum(int(float(r["impressions"])) for r in rows),
        "conversions": sum(int(float(r["number_of_purchases"])) for r in rows),
        "revenue": sum(Decimal(r["amount_of_purchases"]) for r in rows),
        "source_spend": sum(Decimal(r["spend"]) for r in rows),
    }


def loaded_totals(client):
    totals = with_spend(DailyMetric.objects.filter(client=client, source="vibe")).aggregate(
        impressions=Sum("impressions"),
        conversions=Sum("conversions"),
        revenue=Sum("conversion_revenue"),
        source_spend=Sum("source_spend"),
        billed=Sum("spend"),
        clicks=Sum("clicks"),
    )
    totals["spend"] = totals.pop("billed")
    return totals


def a_request(client, start=DAY, end=DAY, clock=None):
    return report_request_create(
        client=client, start_date=start, end_date=end, trigger="schedule", now=clock.now()
    )


def step_once(request, clock):
    """One step by a fresh worker, as the schedule would take it when the request is due."""
    request.refresh_from_db()
    clock.set(request.next_attempt_at)
    advance_report_request(request.pk, clock=clock)
    request.refresh_from_db()
