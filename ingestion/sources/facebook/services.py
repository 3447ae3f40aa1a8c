"""Writes of the Facebook source: an upload is stored, loaded through the pipeline, re-run from
the stored file, or undone. Each leaves an audit entry."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django_q.tasks import async_task

from accounts.audit import audit_record
from accounts.models import AuditAction, User
from campaigns.models import Source
from clients.models import Client
from core import leases
from ingestion.adapters.base import SourceFileError
from ingestion.adapters.tabular import check_workbook
from ingestion.files import FileRefused
from ingestion.models.runs import IngestionRun, RunStatus, RunTrigger
from ingestion.pipeline import run_ingestion, start_run
from ingestion.sources.facebook.adapter import parse_facebook
from ingestion.sources.facebook.models import FacebookUpload, UploadStatus
from metrics.locks import lock_client_sources
from metrics.models import DailyMetric
from metrics.rollups import rollups_refresh


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


ACCEPTED_EXTENSIONS = (".csv", ".xlsx")
UPLOAD_STATUS = {RunStatus.SUCCESS: UploadStatus.LOADED, RunStatus.PARTIAL: UploadStatus.PARTIAL}


def _checksum(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def facebook_upload_create(
    *, client: Client, upload: UploadedFile, by: User, queue_large: bool = False
) -> FacebookUpload:
    """Keep an uploaded Facebook export and load it through the pipeline.

    The size is checked before anything is read; the checksum is computed in chunks; the file is
    stored under a generated name and read into memory once, for the parser. With
    ``queue_large`` (web requests), a file over ``UPLOAD_INLINE_MAX_BYTES`` is checked as far as
    that needs no load (its header, required columns and daily breakdown; an Excel file's
    container) and then queued: the upload is returned ``processing`` and a worker loads it
    (``facebook_upload_load``).
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
    queued = queue_large and upload.size > settings.UPLOAD_INLINE_MAX_BYTES
    if queued:
        _check_without_loading(upload, name)
    run = start_run(
        client=client,
        source=Source.FACEBOOK,
        trigger=RunTrigger.UPLOAD,
        triggered_by=by,
        file_name=name,
        lease=not queued,
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
        leases.release(leases.INGESTION_RUN, run.pk)
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
    if queued:
        upload_id = record.pk
        transaction.on_commit(
            lambda: async_task(
                "ingestion.sources.facebook.services.facebook_upload_load",
                upload_id,
                task_name=f"facebook upload {upload_id}",
            )
        )
        return record
    return _load(record)


def facebook_upload_load(upload_id: int) -> str:
    """The queued load of a large upload (safe to run twice: a finished one is left alone)."""
    record = FacebookUpload.objects.select_related("client", "run").get(pk=upload_id)
    if record.status != UploadStatus.PROCESSING or record.run is None or record.run.finished_at:
        return record.status
    return _load(record).status


def _load(record: FacebookUpload) -> FacebookUpload:
    assert record.run is not None
    with record.file.open("rb") as stored:
        content = stored.read()
    run = run_ingestion(
        client=record.client,
        source=Source.FACEBOOK,
        content=content,
        file_name=record.original_name,
        run=record.run,
    )
    record.run = run
    record.status = UPLOAD_STATUS.get(RunStatus(run.status), UploadStatus.FAILED)
    record.save(update_fields=["status", "updated_at"])
    return record


# How much of a queued CSV is parsed at once to check its header and breakdown.
PRECHECK_BYTES = 256 * 1024


def _check_without_loading(upload: UploadedFile, name: str) -> None:
    """Refuse at once what a queued upload would be refused for without loading anything: an
    Excel file that is not a sound workbook (or a zip bomb); a CSV whose header, required columns
    or daily breakdown are wrong (its first rows are parsed as the pipeline would)."""
    upload.seek(0)
    try:
        if name.lower().endswith(".xlsx"):
            check_workbook(upload.read(), name)
        else:
            head = upload.read(PRECHECK_BYTES)
            if len(head) == PRECHECK_BYTES and b"\n" in head:
                head = head[: head.rindex(b"\n") + 1]
            parse_facebook(head, file_name=name)
    except SourceFileError as error:
        raise FileRefused(str(error)) from None
    finally:
        upload.seek(0)


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
        lock_client_sources(client_id=upload.client_id, sources=[Source.FACEBOOK])
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
                    reason=f"Upload '{upload.original_name}' undone",
                    by_id=by.pk,
                )
        upload.status = UploadStatus.UNDONE
        upload.undone_by = by
        upload.undone_at = timezone.now()
        upload.save(update_fields=["status", "undone_by", "undone_at", "updated_at"])
        audit_record(
            actor=by, action=AuditAction.UNDO, entity=upload, new={"metric_rows_removed": removed}
        )
    return removed


def facebook_upload_rerun(
    *, upload: FacebookUpload, by: User | None, run: IngestionRun | None = None
) -> IngestionRun:
    """Load the stored file of ``upload`` again (continuing ``run`` when a request queued it);
    the upload then owns the rows the new run wrote (undo removes those)."""
    if upload.status == UploadStatus.UNDONE:
        raise ValidationError("This upload was undone; upload the file again to load it.")
    with upload.file.open("rb") as stored:
        content = stored.read()
    new = run_ingestion(
        client=upload.client,
        source=Source.FACEBOOK,
        content=content,
        file_name=upload.original_name,
        trigger=RunTrigger.RERUN,
        triggered_by=by,
        file_key=upload.file.name,
        run=run,
    )
    upload.run = new
    upload.status = UPLOAD_STATUS.get(RunStatus(new.status), UploadStatus.FAILED)
    upload.save(update_fields=["run", "status", "updated_at"])
    return new
