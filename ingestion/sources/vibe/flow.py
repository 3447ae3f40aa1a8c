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
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.models import User
from campaigns.models import Source
from clients.models import Client
from ingestion.models import (
    ACTIVE_STATES,
    IngestionRun,
    ReportState,
    RunStatus,
    RunTrigger,
    VibeConnection,
    VibeReportRequest,
)
from ingestion.pipeline import finish_run, run_ingestion, start_run
from ingestion.sources.vibe.budget import (
    BudgetDecision,
    CallOutcome,
    budget_after_call,
    budget_counts,
    budget_reserve,
    rate_limit_pause_until,
)
from ingestion.sources.vibe.client import (
    STATUS_DONE,
    STATUS_ERROR,
    DownloadLinkExpired,
    VibeClient,
    VibeError,
    VibeRateLimited,
    VibeTransientError,
    download_report,
)
from ingestion.sources.vibe.clock import SYSTEM_CLOCK, Clock
from ingestion.sources.vibe.keys import ApiKeyUnreadable
from ingestion.sources.vibe.selectors import vibe_connection_for
from ingestion.sources.vibe.services import report_request_create

logger = logging.getLogger(__name__)

# How long a worker owns a request it is moving: longer than any HTTP timeout or load.
CLAIM = dt.timedelta(minutes=10)
# Vibe's links last 24 h; one older than this is refreshed (by polling) rather than tried.
LINK_LIFETIME = dt.timedelta(hours=23)
MAX_RETRY_DELAY = dt.timedelta(hours=1)
# Steps one claim may chain when nothing needs waiting for (poll -> download -> load).
MAX_STEPS = 5
NOTE_LENGTH = 500


class VibeNotConfigured(Exception):
    """The client has no enabled Vibe connection. ``str(error)`` says what to do."""


# The budget refusals met during one pass of the scheduler, by key fingerprint: later requests
# with the same key are deferred together instead of each asking the budget again.
Refusals = dict[str, BudgetDecision]


@dataclass
class _Claim:
    """A request this worker owns until it saves an outcome (or the claim lapses)."""

    request: VibeReportRequest
    token: uuid.UUID
    clock: Clock
    refusals: Refusals | None = None

    def now(self) -> dt.datetime:
        return self.clock.now()


# --- Entry points ---------------------------------------------------------------------------


def advance_report_request(
    request_id: int, *, clock: Clock = SYSTEM_CLOCK, refusals: Refusals | None = None
) -> int:
    """Move one report request as far as it can go now; returns the number of steps taken (0 when
    it is not due, finished, or another worker has it). Safe to call from several workers.
    ``refusals`` collects the budget's refusals for the rest of a scheduler pass."""
    steps = 0
    while steps < MAX_STEPS:
        claim = _claim(request_id, clock, refusals)
        if claim is None:
            break
        steps += 1
        try:
            _step(claim)
        except Exception:
            # A bug or an unexpected outage must not stop the other requests of the pass.
            logger.exception("vibe report request=%s step failed unexpectedly", request_id)
            _retry_later(
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
        return finish_run(run, status=RunStatus.FAILED, message=_no_connection_message(client))
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
        note=f"Waiting until {_when(decision.not_before)}: {decision.reason}."[:NOTE_LENGTH],
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


# --- Claims ---------------------------------------------------------------------------------


def _claim(request_id: int, clock: Clock, refusals: Refusals | None = None) -> _Claim | None:
    now = clock.now()
    token = uuid.uuid4()
    with transaction.atomic():
        request = (
            VibeReportRequest.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("client", "run")
            .filter(pk=request_id, state__in=ACTIVE_STATES, next_attempt_at__lte=now)
            .first()
        )
        if request is None:
            return None
        request.claim_token = token
        request.next_attempt_at = now + CLAIM
        request.save(update_fields=["claim_token", "next_attempt_at", "updated_at"])
    return _Claim(request=request, token=token, clock=clock, refusals=refusals)


def _save(claim: _Claim, *, keep_claim: bool = False, **fields: Any) -> bool:
    """Save the step's outcome if this worker still owns the request (and release it)."""
    if "note" in fields:
        fields["note"] = str(fields["note"])[:NOTE_LENGTH]
    if not keep_claim:
        fields["claim_token"] = None
    updated = VibeReportRequest.objects.filter(pk=claim.request.pk, claim_token=claim.token).update(
        **fields, updated_at=timezone.now()
    )
    for name, value in fields.items():
        setattr(claim.request, name, value)
    if not updated:
        logger.warning(
            "vibe report request=%s: claim lapsed before the outcome was saved; dropped",
            claim.request.pk,
        )
    return bool(updated)


def _step(claim: _Claim) -> None:
    state = claim.request.state
    if state == ReportState.REQUESTED:
        _create(claim)
    elif state == ReportState.POLLING:
        _poll(claim)
    elif state == ReportState.READY:
        _download(claim)
    elif state == ReportState.DOWNLOADED:
        _load(claim)


# --- Steps ----------------------------------------------------------------------------------


def _create(claim: _Claim) -> None:
    api = _api(claim)
    if api is None:
        return
    connection, vibe = api
    request = claim.request
    decision = _reserve(claim, connection, creates_report=True)
    if decision is None:
        return
    try:
        created = vibe.create_async_report(
            advertiser_id=connection.advertiser_id,
            start_date=request.start_date,
            end_date=request.end_date,
            timezone_name=settings.VIBE_REPORT_TIMEZONE,
        )
    except VibeError as error:
        _call_failed(claim, connection, decision, error, "create the report")
        return
    now = claim.now()
    first_poll = now + dt.timedelta(
        seconds=max(settings.VIBE_FIRST_POLL_DELAY_SECONDS, settings.VIBE_POLL_MIN_INTERVAL_SECONDS)
    )
    # The report id is saved before anything else: it is what makes a restart safe.
    _save(
        claim,
        state=ReportState.POLLING,
        report_id=created.report_id,
        report_created_at=now,
        deadline=now + dt.timedelta(hours=settings.VIBE_REPORT_DEADLINE_HOURS),
        vendor_status="created",
        attempts=request.attempts + 1,
        retries=0,
        last_error="",
        next_attempt_at=first_poll,
        note=f"Report {created.report_id} created at Vibe; first status poll at "
        f"{_when(first_poll)}.",
    )
    _after_call(claim, connection, decision, CallOutcome.SUCCESS, created.rate_limit)
    logger.info(
        "vibe report request=%s client=%s report=%s created for %s..%s",
        request.pk,
        request.client_id,
        created.report_id,
        request.start_date,
        request.end_date,
    )


def _poll(claim: _Claim) -> None:
    request = claim.request
    now = claim.now()
    earliest = _earliest_poll(request)
    if earliest is not None and now < earliest:
        _save(claim, next_attempt_at=earliest)
        return
    api = _api(claim)
    if api is None:
        return
    connection, vibe = api
    decision = _reserve(claim, connection, creates_report=False)
    if decision is None:
        return
    try:
        answer = vibe.get_report_status(request.report_id)
    except VibeError as error:
        _call_failed(claim, connection, decision, error, f"poll report {request.report_id}")
        return
    now = claim.now()
    polled: dict[str, Any] = {
        "attempts": request.attempts + 1,
        "polls": request.polls + 1,
        "last_polled_at": now,
        "vendor_status": answer.status[:32],
        "retries": 0,
        "last_error": "",
    }
    if answer.status == STATUS_DONE and answer.download_url:
        _save(
            claim,
            **polled,
            state=ReportState.READY,
            download_url=answer.download_url,
            download_url_obtained_at=now,
            next_attempt_at=now,
            note=f"Report {request.report_id} is ready; downloading.",
        )
    elif answer.status == STATUS_ERROR:
        _fail(
            claim,
            f"Vibe could not produce report {request.report_id} for "
            f"{_range(request)}: {answer.message or 'Vibe gave no reason'}. Retry it from the "
            "admin (Vibe reports); if it fails again, ask Vibe's support.",
            **polled,
        )
    elif request.deadline is not None and now >= request.deadline:
        _fail(
            claim,
            f"Vibe report {request.report_id} for {_range(request)} was still "
            f"'{answer.status}' at its deadline, {settings.VIBE_REPORT_DEADLINE_HOURS:g} h "
            "after it was created, so it was given up. Retry it from the admin (Vibe reports) "
            "once Vibe works normally again.",
            **polled,
        )
    else:
        if answer.status not in ("created", "processing", STATUS_DONE):
            logger.warning(
                "vibe report=%s unknown status %r; polling again", request.report_id, answer.status
            )
        next_poll = _next_poll(request.polls + 1, now, request.deadline)
        _save(
            claim,
            **polled,
            next_attempt_at=next_poll,
            note=f"Vibe says the report is '{answer.status}'; next poll at {_when(next_poll)}.",
        )
    _after_call(claim, connection, decision, CallOutcome.SUCCESS, answer.rate_limit)


def _download(claim: _Claim) -> None:
    request = claim.request
    now = claim.now()
    link_age = now - (request.download_url_obtained_at or now)
    if not request.download_url or link_age > LINK_LIFETIME:
        _refresh_link(claim, "The download link is too old")
        return
    try:
        content = download_report(request.download_url, timeout=settings.VIBE_HTTP_TIMEOUT_SECONDS)
    except DownloadLinkExpired as error:
        _refresh_link(claim, str(error).rstrip("."), last_error=str(error))
        return
    except VibeTransientError as error:
        _retry_later(claim, str(error), "download the report")
        return
    except VibeError as error:
        _fail(claim, f"Could not download Vibe report {request.report_id}: {error}")
        return
    file_key = default_storage.save(
        f"vibe/reports/{request.client_id}/{request.pk}-{uuid.uuid4().hex}.csv",
        ContentFile(content),
    )
    _save(
        claim,
        state=ReportState.DOWNLOADED,
        file_key=file_key,
        attempts=request.attempts + 1,
        retries=0,
        last_error="",
        next_attempt_at=claim.now(),
        note=f"Downloaded {len(content):,} bytes; loading.",
    )


def _load(claim: _Claim) -> None:
    request = claim.request
    run = request.run
    if run is not None and run.status != RunStatus.PROCESSING:
        # The pipeline finished before the worker died: only the outcome is left to record.
        _finish_with_run(claim, run)
        return
    try:
        with default_storage.open(request.file_key, "rb") as stored:
            content = stored.read()
    except OSError:
        _save(
            claim,
            state=ReportState.READY if request.download_url else ReportState.POLLING,
            file_key="",
            next_attempt_at=claim.now(),
            note="The downloaded file is missing from storage; fetching it again.",
        )
        return
    file_name = _file_name(request)
    if run is None:
        run = start_run(
            client=request.client,
            source=Source.VIBE,
            trigger=request.trigger,
            triggered_by=request.triggered_by,
            requested_date=request.requested_date,
            file_name=file_name,
            file_key=request.file_key,
        )
        _save(claim, keep_claim=True, run=run)
    run = run_ingestion(
        client=request.client,
        source=Source.VIBE,
        content=content,
        file_name=file_name,
        trigger=request.trigger,
        triggered_by=request.triggered_by,
        requested_date=request.requested_date,
        file_key=request.file_key,
        run=run,
    )
    _finish_with_run(claim, run)


# --- Outcomes -------------------------------------------------------------------------------


def _finish_with_run(claim: _Claim, run: IngestionRun) -> None:
    now = claim.now()
    if run.status in (RunStatus.SUCCESS, RunStatus.PARTIAL):
        _save(
            claim,
            state=ReportState.LOADED,
            run=run,
            finished_at=now,
            next_attempt_at=now,
            note=f"Loaded by run #{run.pk}: {run.message}",
        )
    else:
        # The pipeline has logged and alerted this run already: no second alert.
        _save(
            claim,
            state=ReportState.FAILED,
            run=run,
            failure_reason=run.message,
            finished_at=now,
            next_attempt_at=now,
            note=f"The pipeline refused the report (run #{run.pk}).",
        )


def _fail(claim: _Claim, reason: str, **fields: Any) -> None:
    """End the request as failed with ``reason``, in a failed run that alerts once (after
    commit, and only if this worker still owned the request)."""
    request = claim.request
    now = claim.now()
    with transaction.atomic():
        run = request.run if request.run and request.run.status == RunStatus.PROCESSING else None
        if run is None:
            run = start_run(
                client=request.client,
                source=Source.VIBE,
                trigger=request.trigger,
                triggered_by=request.triggered_by,
                requested_date=request.requested_date,
                file_name=_file_name(request),
            )
        saved = _save(
            claim,
            **fields,
            state=ReportState.FAILED,
            failure_reason=reason,
            run=run,
            finished_at=now,
            next_attempt_at=now,
            note="Failed.",
        )
        if not saved:
            transaction.set_rollback(True)
            return
        finish_run(run, status=RunStatus.FAILED, message=reason)
    logger.warning("vibe report request=%s failed: %s", request.pk, reason)


def _retry_later(claim: _Claim, error: str, action: str) -> None:
    """A transient failure: try again after an exponential backoff, or give up after
    ``VIBE_MAX_RETRIES`` in a row."""
    request = claim.request
    retries = request.retries + 1
    if retries > settings.VIBE_MAX_RETRIES:
        _fail(
            claim,
            f"Gave up trying to {action} for {_range(request)} after {retries} failed attempts "
            f"in a row. The last: {error}",
            attempts=request.attempts + 1,
            last_error=error,
        )
        return
    delay = min(
        dt.timedelta(seconds=settings.VIBE_RETRY_BASE_SECONDS * 2 ** (retries - 1)),
        MAX_RETRY_DELAY,
    )
    next_attempt = claim.now() + delay
    _save(
        claim,
        retries=retries,
        attempts=request.attempts + 1,
        last_error=error,
        next_attempt_at=next_attempt,
        note=f"Could not {action} ({error}); trying again at {_when(next_attempt)}.",
    )


def _refresh_link(claim: _Claim, why: str, **fields: Any) -> None:
    """Go back to polling for a fresh link: the report exists, so it is never created again."""
    request = claim.request
    next_poll = max(claim.now(), _earliest_poll(request) or claim.now())
    _save(
        claim,
        **fields,
        state=ReportState.POLLING,
        download_url="",
        download_url_obtained_at=None,
        next_attempt_at=next_poll,
        note=f"{why}: asking Vibe for a fresh link to report {request.report_id}.",
    )


def _call_failed(
    claim: _Claim,
    connection: VibeConnection,
    decision: BudgetDecision,
    error: VibeError,
    action: str,
) -> None:
    request = claim.request
    now = claim.now()
    if isinstance(error, VibeRateLimited):
        resume_at = rate_limit_pause_until(error.rate_limit, now)
        _save(
            claim,
            attempts=request.attempts + 1,
            last_error=str(error),
            next_attempt_at=resume_at,
            note=f"Vibe asked us to slow down; trying again at {_when(resume_at)}.",
        )
        _after_call(
            claim, connection, decision, CallOutcome.RATE_LIMITED, error.rate_limit, str(error)
        )
    elif isinstance(error, VibeTransientError):
        _retry_later(claim, str(error), action)
        _after_call(claim, connection, decision, CallOutcome.FAILURE, error.rate_limit, str(error))
    else:
        # Any other 4xx: asking again cannot help. A refused key says the key is broken, which
        # the circuit breaker should know; an unknown report or a bad range does not.
        key_refused = error.status_code in (401, 403)
        _fail(
            claim,
            f"Could not {action} for {_range(request)}: {error}",
            attempts=request.attempts + 1,
            last_error=str(error),
        )
        _after_call(
            claim,
            connection,
            decision,
            CallOutcome.FAILURE if key_refused else CallOutcome.NEUTRAL,
            error.rate_limit,
            str(error),
        )


# --- Helpers --------------------------------------------------------------------------------


@sensitive_variables("api_key")
def _api(claim: _Claim) -> tuple[VibeConnection, VibeClient] | None:
    """The client's connection and an HTTP client for it, or None after failing the request."""
    client = claim.request.client
    connection = vibe_connection_for(client)
    if connection is None or not connection.is_enabled:
        _fail(claim, _no_connection_message(client))
        return None
    try:
        api_key = connection.read_api_key()
    except ApiKeyUnreadable as error:
        _fail(claim, str(error))
        return None
    return connection, VibeClient(
        base_url=connection.effective_base_url,
        api_key=api_key,
        timeout=settings.VIBE_HTTP_TIMEOUT_SECONDS,
    )


def _reserve(
    claim: _Claim, connection: VibeConnection, *, creates_report: bool
) -> BudgetDecision | None:
    """A budget slot for the call, or None after rescheduling the request to the next free one."""
    decision = budget_reserve(
        key_fingerprint=connection.api_key_fingerprint,
        key_last4=connection.api_key_last4,
        counted=budget_counts(creates_report=creates_report),
        now=claim.now(),
    )
    if decision.granted:
        return decision
    assert decision.not_before is not None
    if claim.refusals is not None:
        claim.refusals[connection.api_key_fingerprint] = decision
    _save(
        claim,
        next_attempt_at=decision.not_before,
        note=f"Waiting until {_when(decision.not_before)}: {decision.reason}.",
    )
    return None


def _after_call(
    claim: _Claim,
    connection: VibeConnection,
    decision: BudgetDecision,
    outcome: CallOutcome,
    rate_limit: Any,
    error: str = "",
) -> None:
    budget_after_call(
        key_fingerprint=connection.api_key_fingerprint,
        key_last4=connection.api_key_last4,
        stamp=decision.stamp,
        now=claim.now(),
        outcome=outcome,
        rate_limit=rate_limit,
        error=error,
    )


def _earliest_poll(request: VibeReportRequest) -> dt.datetime | None:
    """Polls of one report are at least ``VIBE_POLL_MIN_INTERVAL_SECONDS`` apart."""
    if request.last_polled_at is None:
        return None
    return request.last_polled_at + dt.timedelta(seconds=settings.VIBE_POLL_MIN_INTERVAL_SECONDS)


def _next_poll(polls: int, now: dt.datetime, deadline: dt.datetime | None) -> dt.datetime:
    """Back off: the first-poll delay, doubled after every poll up to the maximum interval; the
    last poll falls on the deadline, so a late report is still seen before being given up."""
    minimum = settings.VIBE_POLL_MIN_INTERVAL_SECONDS
    base = max(settings.VIBE_FIRST_POLL_DELAY_SECONDS, minimum)
    seconds = min(base * 2 ** max(polls - 1, 0), max(settings.VIBE_POLL_MAX_INTERVAL_SECONDS, base))
    next_poll = now + dt.timedelta(seconds=seconds)
    if deadline is not None:
        next_poll = min(next_poll, max(deadline, now + dt.timedelta(seconds=minimum)))
    return next_poll


def _require_connection(client: Client) -> VibeConnection:
    connection = vibe_connection_for(client)
    if connection is None or not connection.is_enabled:
        raise VibeNotConfigured(_no_connection_message(client))
    return connection


def _no_connection_message(client: Client) -> str:
    return (
        f"{client.name} has no enabled Vibe connection. Add the advertiser id and API key in the "
        f"admin (Vibe connections) or with PUT /api/v1/clients/{client.pk}/connections/vibe."
    )


def _file_name(request: VibeReportRequest) -> str:
    return f"vibe-{request.client.slug}-{request.start_date}_{request.end_date}.csv"


def _range(request: VibeReportRequest) -> str:
    if request.start_date == request.end_date:
        return f"{request.client.name} on {request.start_date}"
    return f"{request.client.name}, {request.start_date} to {request.end_date}"


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S %Z")
