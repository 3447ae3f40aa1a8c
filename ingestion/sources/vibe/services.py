"""Writes about Vibe that people start: connections, report requests, retries. Each audited
write leaves out the API key (only its last four characters are recorded)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from accounts.audit import audit_record, changed_values, snapshot
from accounts.models import AuditAction, User
from clients.models import Client
from ingestion.models.runs import RunTrigger
from ingestion.sources.vibe.client import STATUS_DONE
from ingestion.sources.vibe.models import (
    ACTIVE_STATES,
    ReportState,
    VibeConnection,
    VibeReportRequest,
)

CONNECTION_AUDIT_FIELDS = ["advertiser_id", "api_key_last4", "base_url", "is_enabled"]
API_KEY_MIN_LENGTH = 8
API_KEY_INVALID = "This does not look like a Vibe API key (too short or has spaces)."


@sensitive_variables("api_key")
def vibe_connection_set(
    *,
    client: Client,
    advertiser_id: str,
    api_key: str,
    by: User | None,
    base_url: str | None = None,
    is_enabled: bool | None = None,
) -> VibeConnection:
    """Create or replace a client's Vibe advertiser and API key.

    An empty ``api_key`` keeps the stored key (the admin form never shows it back, so leaving it
    blank means "unchanged"); a new connection needs one.
    """
    advertiser_id = advertiser_id.strip()
    api_key = api_key.strip()
    connection = VibeConnection.objects.filter(client=client).first()
    creating = connection is None
    if connection is None:
        connection = VibeConnection(client=client)
    before = {} if creating else snapshot(connection, CONNECTION_AUDIT_FIELDS)
    if not advertiser_id:
        raise ValidationError({"advertiser_id": "Enter the Vibe advertiser id."})
    if api_key:
        if len(api_key) < API_KEY_MIN_LENGTH or any(char.isspace() for char in api_key):
            raise ValidationError({"api_key": API_KEY_INVALID})
        connection.set_api_key(api_key)
    elif creating:
        raise ValidationError({"api_key": "Enter the Vibe API key."})
    connection.advertiser_id = advertiser_id
    if base_url is not None:
        connection.base_url = base_url.strip()
    if is_enabled is not None:
        connection.is_enabled = is_enabled
    connection.full_clean(exclude=["client"])
    try:
        with transaction.atomic():
            _save_and_audit(connection, creating, before, api_key_changed=bool(api_key), by=by)
    except IntegrityError:
        raise ValidationError(
            f"{client}'s Vibe connection was changed at the same time; try again."
        ) from None
    return connection


def _save_and_audit(
    connection: VibeConnection,
    creating: bool,
    before: dict[str, object],
    *,
    api_key_changed: bool,
    by: User | None,
) -> None:
    connection.save()
    after = snapshot(connection, CONNECTION_AUDIT_FIELDS)
    if creating:
        audit_record(actor=by, action=AuditAction.CREATE, entity=connection, new=after)
        return
    old, new = changed_values(before, after)
    if api_key_changed and "api_key_last4" not in new:
        # Same last four characters, different key: still worth a line in the log.
        old, new = {**old, "api_key": "(previous key)"}, {**new, "api_key": "(replaced)"}
    if new:
        audit_record(actor=by, action=AuditAction.UPDATE, entity=connection, old=old, new=new)


def report_request_create(
    *,
    client: Client,
    start_date: dt.date,
    end_date: dt.date,
    trigger: str,
    now: dt.datetime,
    triggered_by: User | None = None,
    requested_date: dt.date | None = None,
    next_attempt_at: dt.datetime | None = None,
) -> VibeReportRequest:
    """A report request for ``client`` and the range, or the unfinished one that already exists
    for exactly that range (so a repeated pull or a restarted command never asks Vibe twice)."""
    if start_date > end_date:
        raise ValidationError(f"The start date {start_date} is after the end date {end_date}.")
    existing = VibeReportRequest.objects.filter(
        client=client, start_date=start_date, end_date=end_date, state__in=ACTIVE_STATES
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return VibeReportRequest.objects.create(
                client=client,
                start_date=start_date,
                end_date=end_date,
                trigger=trigger,
                triggered_by=triggered_by,
                requested_date=requested_date,
                next_attempt_at=next_attempt_at or now,
                note="Waiting to be created at Vibe.",
            )
    except IntegrityError:
        # Another process created it between our check and our insert: use theirs.
        return VibeReportRequest.objects.get(
            client=client, start_date=start_date, end_date=end_date, state__in=ACTIVE_STATES
        )


def report_request_retry(*, report_request: VibeReportRequest, by: User | None) -> None:
    """Give a failed report request another go. A report Vibe had finished is fetched again
    through a fresh status poll (no new report); otherwise a new report is requested."""
    if report_request.state != ReportState.FAILED:
        raise ValidationError("Only failed Vibe reports can be retried.")
    reuse_report = bool(report_request.report_id) and report_request.vendor_status == STATUS_DONE
    fields = {
        "state": ReportState.POLLING if reuse_report else ReportState.REQUESTED,
        "retries": 0,
        "next_attempt_at": timezone.now(),
        "failure_reason": "",
        "last_error": "",
        "finished_at": None,
        "claim_token": None,
        "download_url": "",
        "file_key": "",
        "trigger": RunTrigger.RERUN,
        "note": f"Retried by {getattr(by, 'username', 'the system')}.",
    }
    if reuse_report:
        fields["deadline"] = timezone.now() + dt.timedelta(
            hours=settings.VIBE_REPORT_DEADLINE_HOURS
        )
    else:
        fields.update(
            report_id="", report_created_at=None, vendor_status="", deadline=None, polls=0
        )
    try:
        with transaction.atomic():
            VibeReportRequest.objects.filter(pk=report_request.pk).update(
                **fields, updated_at=timezone.now()
            )
            audit_record(
                actor=by,
                action=AuditAction.INGESTION_TRIGGER,
                entity=report_request,
                new={"retry": True, "new_report": not reuse_report},
            )
    except IntegrityError:
        raise ValidationError(
            f"{report_request.client} already has an unfinished Vibe report for "
            f"{report_request.start_date}..{report_request.end_date}."
        ) from None
