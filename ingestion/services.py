"""Writes of the ingestion app: runs from S3, local files and uploads; connections; undo,
resolve and re-run. Each leaves an audit entry where a person asked for it."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone

from accounts.audit import audit_record, changed_values, snapshot
from accounts.models import AuditAction, User
from campaigns.models import Source
from clients.models import Client
from ingestion.models import (
    FacebookUpload,
    IngestionRun,
    ResolutionStatus,
    RunStatus,
    RunTrigger,
    SurfsideConnection,
    UploadStatus,
)
from ingestion.pipeline import finish_run, run_ingestion, start_run
from ingestion.sources import s3
from ingestion.vibe.flow import ingest_vibe_day
from metrics.models import DailyMetric
from metrics.rollups import rollups_refresh

SURFSIDE_AUDIT_FIELDS = ["bucket", "prefix", "file_pattern", "campaign_name", "is_enabled"]


class FileRefused(Exception):
    """A file refused before it reached the pipeline (too large, wrong type)."""


class DuplicateUpload(Exception):
    """The same bytes were already uploaded for this client."""

    def __init__(self, first: FacebookUpload) -> None:
        self.first = first
        when = timezone.localtime(first.created_at).strftime("%Y-%m-%d %H:%M")
        by = first.uploaded_by.username if first.uploaded_by else "someone"
        super().__init__(
            f"This file was already uploaded as '{first.original_name}' by {by} on {when} "
            f"(upload #{first.pk}, {first.get_status_display().lower()}). Undo that upload "
            "first if you want to load it again."
        )


# --- Surfside -------------------------------------------------------------------------------


def surfside_connection_set(
    *,
    client: Client,
    bucket: str,
    prefix: str,
    file_pattern: str,
    campaign_name: str,
    by: User | None,
    is_enabled: bool = True,
) -> SurfsideConnection:
    """Create or change where a client's Surfside files are delivered."""
    connection = SurfsideConnection.objects.filter(client=client).first()
    before = snapshot(connection, SURFSIDE_AUDIT_FIELDS) if connection else {}
    connection = connection or SurfsideConnection(client=client)
    connection.bucket = bucket.strip()
    connection.prefix = prefix.strip()
    connection.file_pattern = file_pattern.strip()
    connection.campaign_name = campaign_name.strip()
    connection.is_enabled = is_enabled
    connection.full_clean()
    try:
        s3.expected_key(connection, timezone.localdate())
    except s3.DeliveryError as error:
        raise ValidationError({"file_pattern": str(error)}) from None
    with transaction.atomic():
        connection.save()
        old, new = changed_values(before, snapshot(connection, SURFSIDE_AUDIT_FIELDS))
        if new:
            audit_record(
                actor=by,
                action=AuditAction.UPDATE if before else AuditAction.CREATE,
                entity=connection,
                entity_label=f"Surfside connection of {client}",
                old=old,
                new=new,
            )
    return connection


def surfside_ingest_day(
    *,
    client: Client,
    day: dt.date,
    trigger: str,
    triggered_by: User | None = None,
    run: IngestionRun | None = None,
) -> IngestionRun:
    """Fetch and load the client's Surfside file for ``day`` (continuing ``run`` if given).

    No file delivered: the run ends ``missing_file`` and an alert goes out; nothing else changes.
    """
    connection = SurfsideConnection.objects.filter(client=client).first()
    run = run or start_run(
        client=client,
        source=Source.SURFSIDE,
        trigger=trigger,
        triggered_by=triggered_by,
        requested_date=day,
    )
    if connection is None:
        return finish_run(
            run,
            status=RunStatus.FAILED,
            message=f"{client} has no Surfside connection. Add one (bucket, prefix, file "
            "pattern) in the admin, then re-run.",
        )
    try:
        delivery = s3.find_delivery(connection, day)
        if delivery is None:
            return finish_run(
                run,
                status=RunStatus.MISSING_FILE,
                requested_date=day,
                file_key=s3.expected_key(connection, day),
                message=f"No file delivered for {day}: nothing matches "
                f"s3://{connection.bucket}/{s3.expected_key(connection, day)}.",
            )
        run.file_name = delivery.file_name[:500]
        run.file_key = delivery.key[:1024]
        run.save(update_fields=["file_name", "file_key", "updated_at"])
        content = s3.download(connection, delivery)
    except s3.DeliveryError as error:
        return finish_run(run, status=RunStatus.FAILED, message=str(error))
    return run_ingestion(
        client=client,
        source=Source.SURFSIDE,
        content=content,
        file_name=delivery.file_name,
        run=run,
    )


# --- Local files ----------------------------------------------------------------------------


def read_limited(path: Path) -> bytes:
    """A local file's bytes; refused before reading when it is above the upload limit."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise FileRefused(f"{path} cannot be read ({error.strerror}).") from None
    if size > settings.MAX_UPLOAD_BYTES:
        raise FileRefused(
            f"{path.name} is {size / 1e6:.1f} MB; the limit is "
            f"{settings.MAX_UPLOAD_BYTES / 1e6:.0f} MB. Split the export by date range."
        )
    return path.read_bytes()


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


# --- Facebook uploads -----------------------------------------------------------------------

ACCEPTED_EXTENSIONS = (".csv", ".xlsx")
_UPLOAD_STATUS = {RunStatus.SUCCESS: UploadStatus.LOADED, RunStatus.PARTIAL: UploadStatus.PARTIAL}


def _checksum(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def facebook_upload_create(*, client: Client, upload: UploadedFile, by: User) -> FacebookUpload:
    """Keep an uploaded Facebook export and load it through the pipeline.

    The size is checked before anything is read; the checksum is computed in chunks; the file is
    stored under a generated name and read into memory once, for the parser.
    """
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:255]
    if not name.lower().endswith(ACCEPTED_EXTENSIONS):
        raise FileRefused(
            f"'{name}' is not a .csv or .xlsx file. Export the report from Ads "
            "Manager as CSV or Excel and upload that."
        )
    if upload.size is None or upload.size > settings.MAX_UPLOAD_BYTES:
        raise FileRefused(
            f"'{name}' is larger than {settings.MAX_UPLOAD_BYTES / 1e6:.0f} MB. Export a "
            "shorter date range."
        )
    if upload.size == 0:
        raise FileRefused(f"'{name}' is empty. Export the report again and upload it.")
    checksum = _checksum(upload)
    first = _first_upload(client, checksum)
    if first is not None:
        raise DuplicateUpload(first)
    run = start_run(
        client=client,
        source=Source.FACEBOOK,
        trigger=RunTrigger.UPLOAD,
        triggered_by=by,
        file_name=name,
    )
    try:
        with transaction.atomic():
            record = FacebookUpload(
                client=client,
                original_name=name,
                size_bytes=upload.size,
                checksum=checksum,
                uploaded_by=by,
                run=run,
            )
            record.file.save(name, upload, save=False)
            record.save()
    except IntegrityError:
        run.delete()
        first = _first_upload(client, checksum)
        if first is None:
            raise
        raise DuplicateUpload(first) from None
    run.file_key = record.file.name
    run.save(update_fields=["file_key", "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.UPLOAD,
        entity=record,
        new={"file": name, "size": upload.size, "checksum": checksum},
    )
    with record.file.open("rb") as stored:
        content = stored.read()
    run = run_ingestion(
        client=client, source=Source.FACEBOOK, content=content, file_name=name, run=run
    )
    record.status = _UPLOAD_STATUS.get(RunStatus(run.status), UploadStatus.FAILED)
    record.save(update_fields=["status", "updated_at"])
    return record


def _first_upload(client: Client, checksum: str) -> FacebookUpload | None:
    return (
        FacebookUpload.objects.filter(
            client=client,
            checksum=checksum,
            status__in=[UploadStatus.PROCESSING, UploadStatus.LOADED, UploadStatus.PARTIAL],
        )
        .select_related("uploaded_by")
        .order_by("created_at")
        .first()
    )


def facebook_upload_undo(*, upload: FacebookUpload, by: User) -> int:
    """Remove the metric rows this upload last wrote. Rows it had replaced keep no earlier
    values (re-run the earlier upload to restore them). Returns the number of rows removed."""
    if upload.status == UploadStatus.UNDONE:
        raise ValidationError("This upload was already undone.")
    with transaction.atomic():
        removed = 0
        if upload.run_id is not None:
            rows = DailyMetric.objects.filter(
                client=upload.client, source=Source.FACEBOOK, ingestion_run_id=upload.run_id
            )
            span = rows.aggregate(first=Min("date"), last=Max("date"))
            removed, _ = rows.delete()
            if span["first"] is not None:
                rollups_refresh(
                    client_id=upload.client_id,
                    date_from=span["first"],
                    date_to=span["last"],
                    source=Source.FACEBOOK,
                )
        upload.status = UploadStatus.UNDONE
        upload.undone_by = by
        upload.undone_at = timezone.now()
        upload.save(update_fields=["status", "undone_by", "undone_at", "updated_at"])
        audit_record(
            actor=by, action=AuditAction.UNDO, entity=upload, new={"metric_rows_removed": removed}
        )
    return removed


# --- Runs -----------------------------------------------------------------------------------


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


def ingestion_run_rerun(*, run: IngestionRun, by: User | None) -> IngestionRun:
    """Run the same input again: the same S3 day, the same stored upload or Vibe day. A refused
    upload cannot be re-run: the same file would be refused again."""
    if run.refused:
        raise ValidationError(
            f"Run #{run.pk} is an upload refused for its own format or content; the same file "
            "would be refused again. The uploader can see why and upload a corrected file."
        )
    audit_record(
        actor=by, action=AuditAction.INGESTION_TRIGGER, entity=run, new={"rerun_of": run.pk}
    )
    client = run.client
    if run.source == Source.SURFSIDE and run.requested_date:
        new = surfside_ingest_day(
            client=client, day=run.requested_date, trigger=RunTrigger.RERUN, triggered_by=by
        )
    elif run.source == Source.FACEBOOK and hasattr(run, "upload"):
        upload = run.upload
        if upload.status == UploadStatus.UNDONE:
            raise ValidationError("This upload was undone; upload the file again to load it.")
        with upload.file.open("rb") as stored:
            content = stored.read()
        new = run_ingestion(
            client=client,
            source=Source.FACEBOOK,
            content=content,
            file_name=upload.original_name,
            trigger=RunTrigger.RERUN,
            triggered_by=by,
            file_key=upload.file.name,
        )
        # The upload now owns the rows the new run wrote (undo removes those).
        upload.run = new
        upload.status = _UPLOAD_STATUS.get(RunStatus(new.status), UploadStatus.FAILED)
        upload.save(update_fields=["run", "status", "updated_at"])
    elif run.source == Source.VIBE and run.requested_date:
        new = ingest_vibe_day(
            client=client, day=run.requested_date, trigger=RunTrigger.RERUN, triggered_by=by
        )
    else:
        raise ValidationError(
            "This run cannot be re-run: its input is not kept (a local file). Load the file again."
        )
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
