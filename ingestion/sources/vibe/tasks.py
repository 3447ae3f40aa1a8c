"""django-q2 tasks for Vibe. They take ids, never objects, and are safe to run twice or in
parallel: the report requests they create are unique per client and range while unfinished,
and each request is moved by one worker at a time (see ``flow``)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from clients.models import Client
from ingestion.sources.vibe.budget import budget_counts
from ingestion.sources.vibe.clock import SYSTEM_CLOCK, Clock
from ingestion.sources.vibe.flow import (
    Refusals,
    advance_report_request,
    daily_pull_request,
    defer_report_requests,
)
from ingestion.sources.vibe.models import ReportState
from ingestion.sources.vibe.selectors import clients_with_vibe, due_report_requests

logger = logging.getLogger(__name__)


def advance_due_vibe_reports(*, clock: Clock | None = None) -> int:
    """Move every due report request one or more steps; returns the steps taken. Run every
    minute by the schedule; overlapping runs share the work instead of repeating it.

    Once a key's budget refuses a call, the other due requests that need a counted call with that
    key are deferred together to the same free slot (one UPDATE), rather than each asking again.
    """
    clock = clock or SYSTEM_CLOCK
    now = clock.now()
    steps = 0
    refusals: Refusals = {}
    deferred: dict[str, list[int]] = defaultdict(list)
    for due in due_report_requests(now=now):
        refusal = refusals.get(due.key_fingerprint or "")
        if refusal is not None and (refusal.every_call or _makes_a_counted_call(due.state)):
            deferred[due.key_fingerprint or ""].append(due.id)
            continue
        steps += advance_report_request(due.id, clock=clock, refusals=refusals)
    for fingerprint, request_ids in deferred.items():
        defer_report_requests(request_ids=request_ids, decision=refusals[fingerprint], now=now)
    if steps or deferred:
        logger.info(
            "vibe advanced %s report steps; deferred %s requests for the budget",
            steps,
            sum(len(ids) for ids in deferred.values()),
        )
    return steps


def _makes_a_counted_call(state: str) -> bool:
    if state == ReportState.REQUESTED:
        return budget_counts(creates_report=True)
    if state == ReportState.POLLING:
        return budget_counts(creates_report=False)
    return False  # downloads and loads never call the API


def vibe_daily_pull(client_id: int, *, days: int | None = None) -> int:
    """Ask for the client's trailing window (``VIBE_TRAILING_DAYS`` days ending yesterday,
    America/New_York) as one report, or reuse the unfinished request for it; returns its id.
    The minute schedule does the rest; re-fetched days replace the stored ones (upsert)."""
    client = Client.objects.get(pk=client_id)
    return daily_pull_request(client=client, days=days, clock=SYSTEM_CLOCK).pk


def vibe_daily_all(day: str | None = None) -> list[int]:
    """The scheduled daily pull (``vibe`` in ``setup_schedules``): for every active client with
    an enabled connection, the trailing window ending ``day`` (the run's intended day, so a run
    caught up after downtime asks for its own days). Returns the report request ids."""
    last_day = dt.date.fromisoformat(day) if day else None
    return [
        daily_pull_request(client=client, clock=SYSTEM_CLOCK, last_day=last_day).pk
        for client in clients_with_vibe()
    ]


def vibe_daily_pull_all(*, days: int | None = None) -> list[int]:
    """The daily pull of every active client with an enabled Vibe connection."""
    return [vibe_daily_pull(client.pk, days=days) for client in clients_with_vibe()]
