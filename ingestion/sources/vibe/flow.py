"""The Vibe report state machine: requested -> polling -> ready -> downloaded -> loaded, or failed.

Every state is persisted in ``VibeReportRequest``, so a worker that dies at any point leaves a
request that the next worker resumes from where it stood: a created report is polled (never
created twice), a ready one downloaded, a downloaded file loaded. Each step is taken under a
*claim*: the row is locked with ``SKIP LOCKED`` just long enough to stamp a claim token and push
``next_attempt_at`` out by ``CLAIM``; the network call then runs with no transaction open, and the
outcome is saved only if the claim still holds. Several workers can therefore run the same pass
at once: each request moves in exactly one of them, and a claim lost with its worker lapses.

Waiting is never done by sleeping in a worker: a step that must wait (budget, backoff, Vibe still
processing) sets ``next_attempt_at`` and returns; the minute schedule
(``tasks.advance_due_vibe_reports``) picks the request up again. Only the foreground command
(``ingest_vibe_day``) sleeps between steps.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from campaigns.models import Source
from clients.models import Client
from core import leases
from ingestion.models.runs import IngestionRun, RunStatus, RunTrigger
from ingestion.pipeline import finish_run, start_run
from ingestion.sources.vibe.budget import (
    BudgetDecision,
)
from ingestion.sources.vibe.claims import (
    NOTE_LENGTH,
    Refusals,
    claim_request,
    retry_later,
    when,
)
from ingestion.sources.vibe.clock import SYSTEM_CLOCK, Clock
from ingestion.sources.vibe.models import (
    ACTIVE_STATES,
    VibeConnection,
    VibeReportRequest,
)
from ingestion.sources.vibe.selectors import vibe_connection_for
from ingestion.sources.vibe.services import report_request_create
from ingestion.sources.vibe.steps import no_connection_message, step

logger = logging.getLogger(__name__)


# Steps one claim may chain when nothing needs waiting for (poll -> download -> load).
MAX_STEPS = 5


class VibeNotConfigured(Exception):
    """The client has no enabled Vibe connection. ``str(error)`` says what to do."""


def advance_report_request(
    request_id: int, *, clock: Clock = SYSTEM_CLOCK, refusals: Refusals | None = None
) -> int:
    """Move one report request as far as it can go now; returns the number of steps taken (0 when
    it is not due, finished, or another worker has it). Safe to call from several workers.
    ``refusals`` collects the budget's refusals for the rest of a scheduler pass."""
    steps = 0
    while steps < MAX_STEPS:
        claim = claim_request(request_id, clock, refusals)
        if claim is None:
            break
        steps += 1
        try:
            # The claim's lease: should this process die mid-step, the sweeper releases the
            # request at once instead of when the claim would lapse.
            with leases.held(leases.VIBE_REPORT, request_id):
                step(claim)
        except Exception:
            # A bug or an unexpected outage must not stop the other requests of the pass.
            logger.exception("vibe report request=%s step failed unexpectedly", request_id)
            retry_later(
                claim, "an unexpected error (details in the server log)", "move the report on"
            )
            break
        outcome = claim.request
        if outcome.state not in ACTIVE_STATES or outcome.next_attempt_at > clock.now():
            break  # finished, or waiting: no need to ask the database again
    return steps


def ingest_vibe_day(
    *,
    client: Client,
    day: dt.date,
    trigger: str,
    triggered_by: User | None = None,
    echo: Callable[[str], None] | None = None,
    clock: Clock | None = None,
) -> IngestionRun:
    """The whole flow for one day in the foreground: create the report, poll as the budget
    allows, download and load; returns the run. Expected faults (no connection, refused key,
    report never ready, Vibe's ``error`` status) end in a failed run with a clear message, never
    an exception. An unfinished request for the same day is resumed, not duplicated, so an
    interrupted command can simply be run again."""
    clock = clock or SYSTEM_CLOCK
    say = echo or (lambda line: None)
    connection = vibe_connection_for(client)
    if connection is None or not connection.is_enabled:
        run = start_run(
            client=client,
            source=Source.VIBE,
            trigger=trigger,
            triggered_by=triggered_by,
            requested_date=day,
        )
        return finish_run(run, status=RunStatus.FAILED, message=no_connection_message(client))
    request = report_request_create(
        client=client,
        start_date=day,
        end_date=day,
        trigger=trigger,
        triggered_by=triggered_by,
        requested_date=day,
        now=clock.now(),
    )
    say(f"Vibe report request #{request.pk} for {client.name}, {day}: {request.state}.")
    shown = ""
    while request.state in ACTIVE_STATES:
        steps = advance_report_request(request.pk, clock=clock)
        request.refresh_from_db()
        progress = f"{request.get_state_display()}: {request.note}"
        if progress != shown:
            say(progress)
            shown = progress
        if request.state not in ACTIVE_STATES:
            break
        wait = (request.next_attempt_at - clock.now()).total_seconds()
        if wait > 0:
            # Nobody can move a request before it is due, except a background worker holding
            # a claim on it, which may finish early: then re-check every 30 s.
            clock.sleep(min(wait, 30.0) if request.claim_token else wait)
        elif steps == 0:
            clock.sleep(1.0)
    if request.run_id is None:
        # Every terminal state links a run; should one not, the caller still gets a failed run.
        run = start_run(client=client, source=Source.VIBE, trigger=trigger, requested_date=day)
        finish_run(run, status=RunStatus.FAILED, message=request.failure_reason or request.note)
    else:
        run = IngestionRun.objects.get(pk=request.run_id)
    say(f"Run #{run.pk}: {run.status}. {run.message}")
    return run


def defer_report_requests(
    *, request_ids: list[int], decision: BudgetDecision, now: dt.datetime
) -> int:
    """Push due requests back to the budget's next free slot in one statement (the rest of a
    pass once their key's budget has refused a call). Requests that stopped being due, or that
    another worker claimed meanwhile, are left alone."""
    assert decision.not_before is not None
    return VibeReportRequest.objects.filter(
        pk__in=request_ids,
        state__in=ACTIVE_STATES,
        next_attempt_at__lte=now,
        claim_token__isnull=True,
    ).update(
        next_attempt_at=decision.not_before,
        note=f"Waiting until {when(decision.not_before)}: {decision.reason}."[:NOTE_LENGTH],
        updated_at=timezone.now(),
    )


def trailing_window(*, now: dt.datetime, days: int) -> tuple[dt.date, dt.date]:
    """The ``days`` days ending yesterday in the report time zone (America/New_York)."""
    yesterday = timezone.localdate(now, ZoneInfo(settings.VIBE_REPORT_TIMEZONE)) - dt.timedelta(
        days=1
    )
    return yesterday - dt.timedelta(days=max(days, 1) - 1), yesterday


def daily_pull_request(
    *,
    client: Client,
    days: int | None = None,
    clock: Clock = SYSTEM_CLOCK,
    last_day: dt.date | None = None,
) -> VibeReportRequest:
    """One report for the client's trailing window (or the unfinished one already asked for):
    ``days`` days ending ``last_day`` (a scheduled run's intended day), or yesterday."""
    _require_connection(client)
    days = days or settings.VIBE_TRAILING_DAYS
    if last_day is None:
        start, end = trailing_window(now=clock.now(), days=days)
    else:
        start, end = last_day - dt.timedelta(days=days - 1), last_day
    return report_request_create(
        client=client,
        start_date=start,
        end_date=end,
        trigger=RunTrigger.SCHEDULE,
        requested_date=end,
        now=clock.now(),
    )


def vibe_backfill(
    *, clients: Iterable[Client], start: dt.date, end: dt.date, clock: Clock | None = None
) -> list[int]:
    """Queue reports covering ``start``..``end`` for each client, at most
    ``VIBE_MAX_REPORT_DAYS`` days each, and return their ids (unfinished identical requests are
    reused).

    The requests are interleaved round-robin (first chunk of every client, then the second...)
    and spaced one second apart in ``next_attempt_at``, the order in which the budget is handed
    out, so no client waits for another's whole history.
    """
    clock = clock or SYSTEM_CLOCK
    if start > end:
        raise ValueError(f"The start date {start} is after the end date {end}.")
    clients = list(clients)
    for client in clients:
        _require_connection(client)
    span = dt.timedelta(days=max(settings.VIBE_MAX_REPORT_DAYS, 1))
    chunks: list[tuple[dt.date, dt.date]] = []
    chunk_start = start
    while chunk_start <= end:
        chunk_end = min(chunk_start + span - dt.timedelta(days=1), end)
        chunks.append((chunk_start, chunk_end))
        chunk_start = chunk_end + dt.timedelta(days=1)
    now = clock.now()
    planned = [
        VibeReportRequest(
            client=client,
            start_date=chunk_start,
            end_date=chunk_end,
            trigger=RunTrigger.BACKFILL,
            requested_date=chunk_end,
            next_attempt_at=now + dt.timedelta(seconds=position),
            note="Waiting to be created at Vibe.",
        )
        for position, ((chunk_start, chunk_end), client) in enumerate(
            (chunk, client) for chunk in chunks for client in clients
        )
    ]
    existing = {
        (client_id, first, last): pk
        for pk, client_id, first, last in VibeReportRequest.objects.filter(
            client__in=clients, state__in=ACTIVE_STATES
        ).values_list("pk", "client_id", "start_date", "end_date")
    }
    missing = [
        request
        for request in planned
        if (request.client_id, request.start_date, request.end_date) not in existing
    ]
    try:
        with transaction.atomic():
            VibeReportRequest.objects.bulk_create(missing)
    except IntegrityError:
        # Another backfill queued some of the same ranges meanwhile: take them one by one.
        for request in missing:
            request.pk = report_request_create(
                client=request.client,
                start_date=request.start_date,
                end_date=request.end_date,
                trigger=RunTrigger.BACKFILL,
                requested_date=request.end_date,
                now=now,
                next_attempt_at=request.next_attempt_at,
            ).pk
    return [
        existing.get((request.client_id, request.start_date, request.end_date)) or request.pk
        for request in planned
    ]


def _require_connection(client: Client) -> VibeConnection:
    connection = vibe_connection_for(client)
    if connection is None or not connection.is_enabled:
        raise VibeNotConfigured(no_connection_message(client))
    return connection
