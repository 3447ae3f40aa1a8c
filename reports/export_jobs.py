"""Exports too large for a request (SPEC 8): queued, built by a worker into default storage,
downloadable for a day by whoever asked, while they may still see every client in them.

``export_job_create`` records the job and queues ``export_job_build`` once the request's
transaction commits; the build holds a lease (``core.leases``), so a worker killed mid-build
leaves a failed job with a message (``operations.sweeper``), not one "running" forever.
Expired files are removed by ``export_jobs_purge_expired`` (run with the every-minute sweeper).
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from accounts.models import User
from core import leases
from metrics.comparison import DEFAULT_COMPARISON
from metrics.periods import DateRange
from reports.models import ExportJob, ExportStatus

logger = logging.getLogger(__name__)

# How long a built export can be downloaded.
EXPORT_LIFETIME = dt.timedelta(days=1)


def export_job_create(
    *,
    by: User,
    export_format: str,
    client_ids: list[int],
    date_range: DateRange,
    source: str | None,
    file_name: str,
    grain: str = "creative_day",
    chart: str = "",
    comparison: str = DEFAULT_COMPARISON.value,
) -> ExportJob:
    job = ExportJob.objects.create(
        requested_by=by,
        export_format=export_format,
        client_ids=sorted(client_ids),
        start_date=date_range.start,
        end_date=date_range.end,
        source=source or "",
        file_name=file_name,
        grain=grain,
        chart=chart,
        comparison=comparison,
    )
    job_id = job.pk
    transaction.on_commit(
        lambda: async_task(
            "reports.export_jobs.export_job_build", job_id, task_name=f"export {job_id}"
        )
    )
    return job


def export_job_build(job_id: int) -> str:
    """Build the job's file (safe to run twice: only a queued job is built)."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(
        status=ExportStatus.RUNNING, updated_at=timezone.now()
    )
    job = ExportJob.objects.get(pk=job_id)
    if not claimed:
        return job.status
    with leases.held(leases.EXPORT, job.pk):
        try:
            _build(job)
        except Exception:
            logger.exception("export job %s failed", job.pk)
            ExportJob.objects.filter(pk=job.pk).update(
                status=ExportStatus.FAILED,
                finished_at=timezone.now(),
                message=f"The export could not be built (export #{job.pk}; the error is in the "
                "server log). Ask for it again; if it fails again, contact the developers.",
            )
            return ExportStatus.FAILED
    return ExportStatus.READY


def _build(job: ExportJob) -> None:
    from reports.export_files import export_job_file, job_query  # they import this module

    rows = job_query(job).count()
    built = export_job_file(job)
    with built:
        job.file.save(job.file_name, File(built), save=False)
    now = timezone.now()
    job.rows = rows
    job.status = ExportStatus.READY
    job.finished_at = now
    job.expires_at = now + EXPORT_LIFETIME
    job.save(update_fields=["file", "rows", "status", "finished_at", "expires_at", "updated_at"])


def export_jobs_purge_expired(now: dt.datetime | None = None) -> int:
    """Remove the files (and records) of exports past their download day."""
    expired = ExportJob.objects.filter(expires_at__lt=now or timezone.now())
    removed = 0
    for job in expired:
        if job.file:
            job.file.delete(save=False)
        job.delete()
        removed += 1
    return removed
