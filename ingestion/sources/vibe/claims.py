"""Owning a Vibe report request while it moves, and saving what happened to it.

A worker *claims* a request: the row is locked with ``SKIP LOCKED`` just long enough to stamp a
claim token and push ``next_attempt_at`` out by ``CLAIM``; the network call then runs with no
transaction open, and an outcome (``save`` and the functions below it) is written only if the
claim still holds, so a claim lost with its worker lapses and the request is picked up again.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from campaigns.models import Source
from ingestion.models.runs import IngestionRun, RunStatus
from ingestion.pipeline import finish_run, start_run
from ingestion.sources.vibe.budget import (
    BudgetDecision,
    CallOutcome,
    budget_after_call,
    rate_limit_pause_until,
)
from ingestion.sources.vibe.client import (
    VibeError,
    VibeRateLimited,
    VibeTransientError,
)
from ingestion.sources.vibe.clock import Clock
from ingestion.sources.vibe.models import (
    ACTIVE_STATES,
    ReportState,
    VibeConnection,
    VibeReportRequest,
)

logger = logging.getLogger(__name__)


# How long a worker owns a request it is moving: longer than any HTTP timeout or load.
CLAIM = dt.timedelta(minutes=10)


NOTE_LENGTH = 500


MAX_RETRY_DELAY = dt.timedelta(hours=1)


# The budget refusals met during one pass of the scheduler, by key fingerprint: later requests
# with the same key are deferred together instead of each asking the budget again.
Refusals = dict[str, BudgetDecision]


@dataclass
class Claim:
    """A request this worker owns until it saves an outcome (or the claim lapses)."""

    request: VibeReportRequest
    token: uuid.UUID
    clock: Clock
    refusals: Refusals | None = None

    def now(self) -> dt.datetime:
        return self.clock.now()


def claim_request(request_id: int, clock: Clock, refusals: Refusals | None = None) -> Claim | None:
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
    return Claim(request=request, token=token, clock=clock, refusals=refusals)


def save(claim: Claim, *, keep_claim: bool = False, **fields: Any) -> bool:
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


def finish_with_run(claim: Claim, run: IngestionRun) -> None:
    now = claim.now()
    if run.status in (RunStatus.SUCCESS, RunStatus.PARTIAL):
        save(
            claim,
            state=ReportState.LOADED,
            run=run,
            finished_at=now,
            next_attempt_at=now,
            note=f"Loaded by run #{run.pk}: {run.message}",
        )
    else:
        # The pipeline has logged and alerted this run already: no second alert.
        save(
            claim,
            state=ReportState.FAILED,
            run=run,
            failure_reason=run.message,
            finished_at=now,
            next_attempt_at=now,
            note=f"The pipeline refused the report (run #{run.pk}).",
        )


def fail(claim: Claim, reason: str, **fields: Any) -> None:
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
                file_name=report_file_name(request),
            )
        saved = save(
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


def retry_later(claim: Claim, error: str, action: str) -> None:
    """A transient failure: try again after an exponential backoff, or give up after
    ``VIBE_MAX_RETRIES`` in a row."""
    request = claim.request
    retries = request.retries + 1
    if retries > settings.VIBE_MAX_RETRIES:
        fail(
            claim,
            f"Gave up trying to {action} for {describe_range(request)} after {retries} failed "
            f"attempts in a row. The last: {error}",
            attempts=request.attempts + 1,
            last_error=error,
        )
        return
    delay = min(
        dt.timedelta(seconds=settings.VIBE_RETRY_BASE_SECONDS * 2 ** (retries - 1)),
        MAX_RETRY_DELAY,
    )
    next_attempt = claim.now() + delay
    save(
        claim,
        retries=retries,
        attempts=request.attempts + 1,
        last_error=error,
        next_attempt_at=next_attempt,
        note=f"Could not {action} ({error}); trying again at {when(next_attempt)}.",
    )


def refresh_link(claim: Claim, why: str, **fields: Any) -> None:
    """Go back to polling for a fresh link: the report exists, so it is never created again."""
    request = claim.request
    next_poll = max(claim.now(), earliest_poll(request) or claim.now())
    save(
        claim,
        **fields,
        state=ReportState.POLLING,
        download_url="",
        download_url_obtained_at=None,
        next_attempt_at=next_poll,
        note=f"{why}: asking Vibe for a fresh link to report {request.report_id}.",
    )


def call_failed(
    claim: Claim,
    connection: VibeConnection,
    decision: BudgetDecision,
    error: VibeError,
    action: str,
) -> None:
    request = claim.request
    now = claim.now()
    if isinstance(error, VibeRateLimited):
        resume_at = rate_limit_pause_until(error.rate_limit, now)
        save(
            claim,
            attempts=request.attempts + 1,
            last_error=str(error),
            next_attempt_at=resume_at,
            note=f"Vibe asked us to slow down; trying again at {when(resume_at)}.",
        )
        after_call(
            claim, connection, decision, CallOutcome.RATE_LIMITED, error.rate_limit, str(error)
        )
    elif isinstance(error, VibeTransientError):
        retry_later(claim, str(error), action)
        after_call(claim, connection, decision, CallOutcome.FAILURE, error.rate_limit, str(error))
    else:
        # Any other 4xx: asking again cannot help. A refused key says the key is broken, which
        # the circuit breaker should know; an unknown report or a bad range does not.
        key_refused = error.status_code in (401, 403)
        fail(
            claim,
            f"Could not {action} for {describe_range(request)}: {error}",
            attempts=request.attempts + 1,
            last_error=str(error),
        )
        after_call(
            claim,
            connection,
            decision,
            CallOutcome.FAILURE if key_refused else CallOutcome.NEUTRAL,
            error.rate_limit,
            str(error),
        )


def after_call(
    claim: Claim,
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


def earliest_poll(request: VibeReportRequest) -> dt.datetime | None:
    """Polls of one report are at least ``VIBE_POLL_MIN_INTERVAL_SECONDS`` apart."""
    if request.last_polled_at is None:
        return None
    return request.last_polled_at + dt.timedelta(seconds=settings.VIBE_POLL_MIN_INTERVAL_SECONDS)


def report_file_name(request: VibeReportRequest) -> str:
    return f"vibe-{request.client.slug}-{request.start_date}_{request.end_date}.csv"


def describe_range(request: VibeReportRequest) -> str:
    if request.start_date == request.end_date:
        return f"{request.client.name} on {request.start_date}"
    return f"{request.client.name}, {request.start_date} to {request.end_date}"


def when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S %Z")
