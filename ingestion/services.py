"""Writes of the ingestion app that are not one source's: local files, and resolving and
re-running runs of any source. Each leaves an audit entry where a person asked for it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditAction, User
from campaigns.models import Source
from clients.models import Client
from core import leases
from ingestion.files import read_limited
from ingestion.models.runs import IngestionRun, ResolutionStatus, RunTrigger
from ingestion.pipeline import run_ingestion, start_run
from ingestion.sources.facebook.models import UploadStatus
from ingestion.sources.facebook.services import facebook_upload_rerun
from ingestion.sources.surfside.services import surfside_ingest_day
from ingestion.sources.vibe.flow import ingest_vibe_day
from ingestion.sources.vibe.models import VibeReportRequest
from ingestion.sources.vibe.services import report_request_create
from ingestion.tasks import queue


def ingest_file(
    *,
    client: Client,
    source: str,
    path: Path,
    trigger: str = RunTrigger.MANUAL,
    triggered_by: User | None = None,
    requested_date: dt.date | None = None,
) -> IngestionRun:
    """Load a local CSV/XLSX through the pipeline (``manage.py ingest --file``)."""
    content = read_limited(path)
    return run_ingestion(
        client=client,
        source=source,
        content=content,
        file_name=path.name,
        trigger=trigger,
        triggered_by=triggered_by,
        requested_date=requested_date,
    )


def ingestion_run_resolve(*, run: IngestionRun, notes: str, by: User) -> IngestionRun:
    """Mark a run's problem as handled, with what was done."""
    with transaction.atomic():
        run.resolution_status = ResolutionStatus.RESOLVED
        run.resolution_notes = notes.strip()
        run.resolved_by = by
        run.resolved_at = timezone.now()
        run.save(
            update_fields=[
                "resolution_status",
                "resolution_notes",
                "resolved_by",
                "resolved_at",
                "updated_at",
            ]
        )
        audit_record(
            actor=by, action=AuditAction.RESOLVE, entity=run, new={"notes": run.resolution_notes}
        )
    return run


NOT_RERUNNABLE = (
    "This run cannot be re-run: its input is not kept (a local file). Load the file again."
)


def _check_rerunnable(run: IngestionRun) -> None:
    """Refuse a re-run that cannot work: a refused upload (the same file would be refused
    again), an undone upload, a local file whose input is not kept."""
    if run.refused:
        raise ValidationError(
            f"Run #{run.pk} is an upload refused for its own format or content; the same file "
            "would be refused again. The uploader can see why and upload a corrected file."
        )
    if run.source in (Source.SURFSIDE, Source.VIBE) and run.requested_date:
        return
    if run.source == Source.FACEBOOK and hasattr(run, "upload"):
        if run.upload.status == UploadStatus.UNDONE:
            raise ValidationError("This upload was undone; upload the file again to load it.")
        return
    raise ValidationError(NOT_RERUNNABLE)


def ingestion_run_rerun_queue(
    *, run: IngestionRun, by: User | None
) -> IngestionRun | VibeReportRequest:
    """Queue a re-run of ``run`` and return at once (no long work in a request): the new run,
    ``processing`` until a worker finishes it, or for Vibe the report request that the
    scheduler's every-minute pass moves on as the key's budget allows. Refused at once (a
    ``ValidationError``) when the input is not kept."""
    _check_rerunnable(run)
    audit_record(
        actor=by, action=AuditAction.INGESTION_TRIGGER, entity=run, new={"rerun_of": run.pk}
    )
    if run.source == Source.VIBE:
        assert run.requested_date is not None
        return report_request_create(
            client=run.client,
            start_date=run.requested_date,
            end_date=run.requested_date,
            trigger=RunTrigger.RERUN,
            triggered_by=by,
            requested_date=run.requested_date,
            now=timezone.now(),
        )
    new = start_run(
        client=run.client,
        source=run.source,
        trigger=RunTrigger.RERUN,
        triggered_by=by,
        requested_date=run.requested_date,
        file_name=run.file_name,
        file_key=run.file_key,
        rerun_of=run,
        lease=False,
    )
    queue(
        "ingestion.tasks.rerun",
        run.pk,
        by.pk if by else None,
        new.pk,
        lease=(leases.INGESTION_RUN, new.pk),
    )
    return new


def ingestion_run_rerun(
    *, run: IngestionRun, by: User | None, new: IngestionRun | None = None
) -> IngestionRun:
    """Run the same input again: the same S3 day, the same stored upload or Vibe day
    (continuing ``new`` when ``ingestion_run_rerun_queue`` created it)."""
    _check_rerunnable(run)
    if new is None:
        audit_record(
            actor=by, action=AuditAction.INGESTION_TRIGGER, entity=run, new={"rerun_of": run.pk}
        )
    client = run.client
    if run.source == Source.SURFSIDE and run.requested_date:
        new = surfside_ingest_day(
            client=client,
            day=run.requested_date,
            trigger=RunTrigger.RERUN,
            triggered_by=by,
            run=new,
        )
    elif run.source == Source.FACEBOOK and hasattr(run, "upload"):
        new = facebook_upload_rerun(upload=run.upload, by=by, run=new)
    elif run.source == Source.VIBE and run.requested_date:
        new = ingest_vibe_day(
            client=client, day=run.requested_date, trigger=RunTrigger.RERUN, triggered_by=by
        )
    else:
        raise ValidationError(NOT_RERUNNABLE)
    IngestionRun.objects.filter(pk=new.pk).update(rerun_of=run)
    new.rerun_of = run
    return new


def describe(run: IngestionRun) -> dict[str, Any]:
    """The one-line summary fields of a run, for commands and API responses."""
    return {
        "run_id": run.pk,
        "status": run.status,
        "rows_read": run.rows_read,
        "rows_loaded": run.rows_loaded,
        "rows_failed": run.rows_failed,
        "rows_replaced": run.rows_replaced,
        "message": run.message,
    }
