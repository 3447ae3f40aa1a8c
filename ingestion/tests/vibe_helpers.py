"""Helpers for the Vibe tests: a clock moved by hand and a driver that runs the scheduled task
the way the minute schedule would, jumping straight to the next moment something is due."""

from __future__ import annotations

import datetime as dt
import itertools
import threading

from django.db.models import Min
from django.utils import timezone

from ingestion.models import ACTIVE_STATES, VibeReportRequest
from ingestion.sources.vibe.tasks import advance_due_vibe_reports


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
