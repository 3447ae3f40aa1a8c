"""django-q2 tasks for Vibe. They take ids, never objects, and are safe to run twice or in
parallel: the report requests they create are unique per client and range while unfinished,
and each request is moved by one worker at a time (see ``flow``)."""

from __future__ import annotations

import logging

from clients.models import Client
from ingestion.vibe.clock import SYSTEM_CLOCK, Clock
from ingestion.vibe.flow import advance_report_request, daily_pull_request
from ingestion.vibe.selectors import clients_with_vibe, due_report_request_ids

logger = logging.getLogger(__name__)


def advance_due_vibe_reports(*, clock: Clock | None = None) -> int:
    """Move every due report request one or more steps; returns the steps taken. Run every
    minute by the schedule; overlapping runs share the work instead of repeating it."""
    clock = clock or SYSTEM_CLOCK
    steps = 0
    for request_id in due_report_request_ids(now=clock.now()):
        steps += advance_report_request(request_id, clock=clock)
    if steps:
        logger.info("vibe advanced %s report steps", steps)
    return steps


def vibe_daily_pull(client_id: int, *, days: int | None = None) -> int:
    """Ask for the client's trailing window (``VIBE_TRAILING_DAYS`` days ending yesterday,
    America/New_York) as one report, or reuse the unfinished request for it; returns its id.
    The minute schedule does the rest; re-fetched days replace the stored ones (upsert)."""
    client = Client.objects.get(pk=client_id)
    return daily_pull_request(client=client, days=days, clock=SYSTEM_CLOCK).pk


def vibe_daily_pull_all(*, days: int | None = None) -> list[int]:
    """The daily pull of every active client with an enabled Vibe connection."""
    return [vibe_daily_pull(client.pk, days=days) for client in clients_with_vibe()]
