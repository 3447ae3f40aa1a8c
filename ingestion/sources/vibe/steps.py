"""The steps of a claimed Vibe report request: create the report, poll its status, download
it, load it. Each step takes one claim, makes at most one counted call, and saves its outcome;
a step that must wait sets ``next_attempt_at`` and returns (see ``flow``)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.views.decorators.debug import sensitive_variables

from campaigns.models import Source
from clients.models import Client
from ingestion.models.runs import RunStatus
from ingestion.pipeline import run_ingestion, start_run
from ingestion.sources.vibe.budget import (
    BudgetDecision,
    CallOutcome,
    budget_counts,
    budget_reserve,
)
from ingestion.sources.vibe.claims import (
    Claim,
    after_call,
    call_failed,
    describe_range,
    earliest_poll,
    fail,
    finish_with_run,
    refresh_link,
    report_file_name,
    retry_later,
    save,
    when,
)
from ingestion.sources.vibe.client import (
    STATUS_DONE,
    STATUS_ERROR,
    DownloadLinkExpired,
    VibeClient,
    VibeError,
    VibeTransientError,
    download_report,
)
from ingestion.sources.vibe.keys import ApiKeyUnreadable
from ingestion.sources.vibe.models import (
    ReportState,
    VibeConnection,
)
from ingestion.sources.vibe.selectors import vibe_connection_for

logger = logging.getLogger(__name__)


# Vibe's links last 24 h; one older than this is refreshed (by polling) rather than tried.
LINK_LIFETIME = dt.timedelta(hours=23)


def step(claim: Claim) -> None:
    state = claim.request.state
    if state == ReportState.REQUESTED:
        _create(claim)
    elif state == ReportState.POLLING:
        _poll(claim)
    elif state == ReportState.READY:
        _download(claim)
    elif state == ReportState.DOWNLOADED:
        _load(claim)


def _create(claim: Claim) -> None:
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
        call_failed(claim, connection, decision, error, "create the report")
        return
    now = claim.now()
    first_poll = now + dt.timedelta(
        seconds=max(settings.VIBE_FIRST_POLL_DELAY_SECONDS, settings.VIBE_POLL_MIN_INTERVAL_SECONDS)
    )
    # The report id is saved before anything else: it is what makes a restart safe.
    save(
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
        f"{when(first_poll)}.",
    )
    after_call(claim, connection, decision, CallOutcome.SUCCESS, created.rate_limit)
    logger.info(
        "vibe report request=%s client=%s report=%s created for %s..%s",
        request.pk,
        request.client_id,
        created.report_id,
        request.start_date,
        request.end_date,
    )


def _poll(claim: Claim) -> None:
    request = claim.request
    now = claim.now()
    earliest = earliest_poll(request)
    if earliest is not None and now < earliest:
        save(claim, next_attempt_at=earliest)
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
        call_failed(claim, connection, decision, error, f"poll report {request.report_id}")
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
        save(
            claim,
            **polled,
            state=ReportState.READY,
            download_url=answer.download_url,
            download_url_obtained_at=now,
            next_attempt_at=now,
            note=f"Report {request.report_id} is ready; downloading.",
        )
    elif answer.status == STATUS_ERROR:
        fail(
            claim,
            f"Vibe could not produce report {request.report_id} for "
            f"{describe_range(request)}: {answer.message or 'Vibe gave no reason'}. Retry it from "
            "the admin (Vibe reports); if it fails again, ask Vibe's support.",
            **polled,
        )
    elif request.deadline is not None and now >= request.deadline:
        fail(
            claim,
            f"Vibe report {request.report_id} for {describe_range(request)} was still "
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
        save(
            claim,
            **polled,
            next_attempt_at=next_poll,
            note=f"Vibe says the report is '{answer.status}'; next poll at {when(next_poll)}.",
        )
    after_call(claim, connection, decision, CallOutcome.SUCCESS, answer.rate_limit)


def _download(claim: Claim) -> None:
    request = claim.request
    now = claim.now()
    link_age = now - (request.download_url_obtained_at or now)
    if not request.download_url or link_age > LINK_LIFETIME:
        refresh_link(claim, "The download link is too old")
        return
    try:
        content = download_report(request.download_url, timeout=settings.VIBE_HTTP_TIMEOUT_SECONDS)
    except DownloadLinkExpired as error:
        refresh_link(claim, str(error).rstrip("."), last_error=str(error))
        return
    except VibeTransientError as error:
        retry_later(claim, str(error), "download the report")
        return
    except VibeError as error:
        fail(claim, f"Could not download Vibe report {request.report_id}: {error}")
        return
    file_key = default_storage.save(
        f"vibe/reports/{request.client_id}/{request.pk}-{uuid.uuid4().hex}.csv",
        ContentFile(content),
    )
    save(
        claim,
        state=ReportState.DOWNLOADED,
        file_key=file_key,
        attempts=request.attempts + 1,
        retries=0,
        last_error="",
        next_attempt_at=claim.now(),
        note=f"Downloaded {len(content):,} bytes; loading.",
    )


def _load(claim: Claim) -> None:
    request = claim.request
    run = request.run
    if run is not None and run.status != RunStatus.PROCESSING:
        # The pipeline finished before the worker died: only the outcome is left to record.
        finish_with_run(claim, run)
        return
    try:
        with default_storage.open(request.file_key, "rb") as stored:
            content = stored.read()
    except OSError:
        save(
            claim,
            state=ReportState.READY if request.download_url else ReportState.POLLING,
            file_key="",
            next_attempt_at=claim.now(),
            note="The downloaded file is missing from storage; fetching it again.",
        )
        return
    file_name = report_file_name(request)
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
        save(claim, keep_claim=True, run=run)
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
    finish_with_run(claim, run)


@sensitive_variables("api_key")
def _api(claim: Claim) -> tuple[VibeConnection, VibeClient] | None:
    """The client's connection and an HTTP client for it, or None after failing the request."""
    client = claim.request.client
    connection = vibe_connection_for(client)
    if connection is None or not connection.is_enabled:
        fail(claim, no_connection_message(client))
        return None
    try:
        api_key = connection.read_api_key()
    except ApiKeyUnreadable as error:
        fail(claim, str(error))
        return None
    return connection, VibeClient(
        base_url=connection.effective_base_url,
        api_key=api_key,
        timeout=settings.VIBE_HTTP_TIMEOUT_SECONDS,
    )


def _reserve(
    claim: Claim, connection: VibeConnection, *, creates_report: bool
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
    save(
        claim,
        next_attempt_at=decision.not_before,
        note=f"Waiting until {when(decision.not_before)}: {decision.reason}.",
    )
    return None


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


def no_connection_message(client: Client) -> str:
    return (
        f"{client.name} has no enabled Vibe connection. Add the advertiser id and API key in the "
        f"admin (Vibe connections) or with PUT /api/v1/clients/{client.pk}/connections/vibe."
    )
