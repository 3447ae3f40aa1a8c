"""The sweeper: fails the long jobs whose process died, and releases what they held.

Scheduled every minute (``operations.scheduling.JOBS["lease_sweeper"]``). A lease (``core.leases``)
is dead when the database session its holder's heartbeat thread beats from no longer exists (the
process was killed: PostgreSQL ends a killed client's sessions at once, which also rolls back its
open transaction and frees its advisory locks) and one heartbeat interval has passed, or when its
heartbeat is older than ``LEASE_TIMEOUT_SECONDS`` whatever the session (a host that disappeared
without closing its connections). Each dead lease is handled in its own transaction, its row
locked with ``SKIP LOCKED`` so two sweepers on two hosts never handle the same one.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_q.models import OrmQ

from core import leases
from core.models import Lease
from ingestion.alerts import alert_for_run
from ingestion.models.backfill import BackfillJob, BackfillStatus
from ingestion.models.runs import IngestionRun, RunStatus
from ingestion.sources.facebook.models import FacebookUpload, UploadStatus
from ingestion.sources.vibe.models import ACTIVE_STATES, VibeReportRequest
from metrics.repricing import repricing_requeue
from reports.export_jobs import export_jobs_purge_expired
from reports.models import ExportJob, ExportStatus, ScheduledRun, ScheduledRunStatus

logger = logging.getLogger(__name__)

_DEAD_SQL = """
    SELECT lease.id, lease.kind, lease.object_id, lease.holder
    FROM core_lease AS lease
    WHERE (lease.heartbeat_at < now() - make_interval(secs => %(timeout)s)
           AND lease.holder NOT LIKE 'queued task%%')
       OR (lease.backend_pid IS NOT NULL
           AND lease.heartbeat_at < now() - make_interval(secs => %(grace)s)
           AND NOT EXISTS (
               SELECT 1 FROM pg_stat_activity AS session
               WHERE session.pid = lease.backend_pid
                 AND session.backend_start = lease.backend_start))
    ORDER BY lease.id
    LIMIT 1
    FOR UPDATE OF lease SKIP LOCKED
"""


@dataclass(frozen=True)
class Swept:
    kind: str
    object_id: int
    holder: str


# Leases held by the task queue (a job queued for a worker), oldest first: whether each task is
# still waiting is asked of the broker (``_task_lost``).
_QUEUED_SQL = """
    SELECT lease.id, lease.kind, lease.object_id, lease.holder,
           lease.heartbeat_at < now() - make_interval(secs => %(timeout)s) AS stale
    FROM core_lease AS lease
    WHERE lease.holder LIKE 'queued task%%'
      AND lease.heartbeat_at < now() - make_interval(secs => %(grace)s)
    ORDER BY lease.id
    FOR UPDATE OF lease SKIP LOCKED
"""


def stopped(holder: str) -> str:
    task_id = leases.queued_task_id(holder)
    if task_id is not None:
        return (
            f"its queued task ({task_id or 'never accepted by the broker'}) was lost before a "
            "worker started it"
        )
    return f"the process running it stopped (worker killed or restarted; it ran on {holder})"


def _task_lost(task_id: str, *, stale: bool) -> bool:
    """Whether the broker lost a queued task: with the ORM broker, no queued entry carries it
    any more (a running task keeps its entry until done; a worker that starts the job takes
    its lease over first); with another broker, the lease outlived ``Q_CLUSTER["retry"]``. A
    task the broker never accepted is lost once stale."""
    if not task_id:
        return stale
    if "orm" not in settings.Q_CLUSTER:
        return stale and _older_than_retry(task_id)
    return not any(entry.task_id() == task_id for entry in OrmQ.objects.all())


def _older_than_retry(task_id: str) -> bool:
    retry = float(settings.Q_CLUSTER.get("retry", settings.LEASE_TIMEOUT_SECONDS))
    return Lease.objects.filter(
        holder=f"{leases.QUEUED} {task_id}",
        heartbeat_at__lt=timezone.now() - dt.timedelta(seconds=retry),
    ).exists()


def _fail_run(run_id: int, holder: str) -> None:
    now = timezone.now()
    failed = IngestionRun.objects.filter(pk=run_id, status=RunStatus.PROCESSING).update(
        status=RunStatus.FAILED,
        finished_at=now,
        updated_at=now,
        message=(
            f"The run did not finish: {stopped(holder)}. Whatever it was loading was rolled "
            "back, so the data is as before the run. Re-run it."
        ),
    )
    # The upload the run was loading may be uploaded (or re-run) again.
    FacebookUpload.objects.filter(run_id=run_id, status=UploadStatus.PROCESSING).update(
        status=UploadStatus.FAILED, updated_at=now
    )
    if failed:
        run = IngestionRun.objects.select_related("client").get(pk=run_id)
        transaction.on_commit(lambda: alert_for_run(run))


def _fail_backfill(job_id: int, holder: str) -> None:
    job = BackfillJob.objects.filter(pk=job_id, status=BackfillStatus.RUNNING).first()
    if job is None:
        return
    now = timezone.now()
    BackfillJob.objects.filter(pk=job_id, status=BackfillStatus.RUNNING).update(
        status=BackfillStatus.FAILED,
        finished_at=now,
        updated_at=now,
        message=(
            f"Stopped after {job.steps_done} of {job.steps_total} days: {stopped(holder)}. "
            "Start it again to finish; the days already loaded are skipped."
        ),
    )


def _release_vibe_report(request_id: int, holder: str) -> None:
    """A report request is resumable: its claim is released so the next pass moves it on now,
    instead of when the claim would have lapsed."""
    now = timezone.now()
    VibeReportRequest.objects.filter(pk=request_id, state__in=ACTIVE_STATES).update(
        claim_token=None,
        next_attempt_at=now,
        updated_at=now,
        note=f"Interrupted: {stopped(holder)}; the next pass picks it up again."[:500],
    )


def _fail_scheduled_run(entry_id: int, holder: str) -> None:
    ScheduledRun.objects.filter(pk=entry_id, status=ScheduledRunStatus.RUNNING).update(
        status=ScheduledRunStatus.FAILED,
        finished_at=timezone.now(),
        message=f"Did not finish: {stopped(holder)}.",
    )


def _requeue_repricing(repricing_id: int, holder: str) -> None:
    """A re-pricing is queued again, not failed: the rate it applies is saved, and until the days
    are re-priced the dashboard says so. Its work was rolled back with its process."""
    repricing_requeue(repricing_id=repricing_id, why=stopped(holder))


def _fail_export(job_id: int, holder: str) -> None:
    ExportJob.objects.filter(pk=job_id, status=ExportStatus.RUNNING).update(
        status=ExportStatus.FAILED,
        finished_at=timezone.now(),
        updated_at=timezone.now(),
        message=f"The export was not built: {stopped(holder)}. Ask for it again.",
    )


HANDLERS: dict[str, Callable[[int, str], None]] = {
    leases.INGESTION_RUN: _fail_run,
    leases.BACKFILL: _fail_backfill,
    leases.VIBE_REPORT: _release_vibe_report,
    leases.SCHEDULED_RUN: _fail_scheduled_run,
    leases.EXPORT: _fail_export,
    leases.REPRICING: _requeue_repricing,
}


def sweep_dead_leases() -> list[Swept]:
    """Handle every dead lease once; returns what was swept."""
    swept = _sweep_dead_processes()
    swept += _sweep_lost_tasks()
    for item in swept:
        logger.warning(
            "swept dead lease: %s #%s held by %s", item.kind, item.object_id, item.holder
        )
    return swept


def _sweep_lost_tasks() -> list[Swept]:
    """Jobs leased to the queue whose task the broker lost: failed like a dead process's."""
    swept: list[Swept] = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            _QUEUED_SQL,
            {"timeout": settings.LEASE_TIMEOUT_SECONDS, "grace": settings.LEASE_HEARTBEAT_SECONDS},
        )
        for lease_id, kind, object_id, holder, stale in cursor.fetchall():
            task_id = leases.queued_task_id(holder) or ""
            if not _task_lost(task_id, stale=stale):
                continue
            handler = HANDLERS.get(kind)
            if handler is not None:
                handler(object_id, holder)
            cursor.execute("DELETE FROM core_lease WHERE id = %s", [lease_id])
            swept.append(Swept(kind=kind, object_id=object_id, holder=holder))
    return swept


def _sweep_dead_processes() -> list[Swept]:
    swept: list[Swept] = []
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                _DEAD_SQL,
                {
                    "timeout": settings.LEASE_TIMEOUT_SECONDS,
                    "grace": settings.LEASE_HEARTBEAT_SECONDS,
                },
            )
            row = cursor.fetchone()
            if row is None:
                return swept
            lease_id, kind, object_id, holder = row
            handler = HANDLERS.get(kind)
            if handler is not None:
                handler(object_id, holder)
            cursor.execute("DELETE FROM core_lease WHERE id = %s", [lease_id])
        swept.append(Swept(kind=kind, object_id=object_id, holder=holder))


def lease_sweeper() -> int:
    """The scheduled job: the number of dead jobs handled. Expired export files go too."""
    export_jobs_purge_expired()
    return len(sweep_dead_leases())
