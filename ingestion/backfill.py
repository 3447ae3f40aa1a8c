"""Running a backfill job day by day; the same code serves the command and the task queue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import AuditAction, User
from campaigns.models import Source
from clients.models import Client
from core import leases
from core.validators import validate_business_date
from ingestion.models.backfill import BackfillJob, BackfillStatus
from ingestion.models.runs import IngestionRun, RunTrigger
from ingestion.sources.surfside.services import surfside_ingest_day
from ingestion.sources.vibe.flow import VibeNotConfigured, vibe_backfill
from ingestion.sources.vibe.models import VibeReportRequest

MAX_BACKFILL_DAYS = 400


def days_between(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=offset) for offset in range((end - start).days + 1)]


def backfill_create(
    *, source: str, clients: list[Client], start: dt.date, end: dt.date, by: User | None
) -> BackfillJob:
    """Record a backfill to run (the task or the command then calls ``backfill_run``)."""
    from django.core.exceptions import ValidationError

    validate_business_date(start)
    validate_business_date(end)
    if end < start:
        raise ValidationError("The end date is before the start date.")
    if end > timezone.localdate():
        raise ValidationError("The end date is in the future.")
    if (end - start).days + 1 > MAX_BACKFILL_DAYS:
        raise ValidationError(f"A backfill covers at most {MAX_BACKFILL_DAYS} days.")
    if not clients:
        raise ValidationError("No clients to backfill.")
    with transaction.atomic():
        job = BackfillJob.objects.create(
            source=source,
            start_date=start,
            end_date=end,
            requested_by=by,
            steps_total=len(clients) * ((end - start).days + 1),
        )
        job.clients.set(clients)
        audit_record(
            actor=by,
            action=AuditAction.BACKFILL,
            entity=job,
            new={
                "source": source,
                "start": str(start),
                "end": str(end),
                "clients": [client.slug for client in clients],
            },
        )
    return job


StepCallback = Callable[[BackfillJob, Client, dt.date, IngestionRun], None]


def backfill_run(job_id: int, *, on_step: StepCallback | None = None) -> BackfillJob:
    """Load every (client, day) of the job in order, recording progress after each step.

    Safe to call twice: steps already recorded are skipped.
    """
    job = BackfillJob.objects.get(pk=job_id)
    if job.status == BackfillStatus.DONE:
        return job
    if job.source == Source.VIBE:
        return _queue_vibe_reports(job)
    done = {(step["client"], step["date"]) for step in job.results}
    job.status = BackfillStatus.RUNNING
    job.save(update_fields=["status", "updated_at"])
    with leases.held(leases.BACKFILL, job.pk):
        return _run_days(job, done, on_step)


def _run_days(
    job: BackfillJob, done: set[tuple[str, str]], on_step: StepCallback | None
) -> BackfillJob:
    try:
        for client in job.clients.order_by("name"):
            for day in days_between(job.start_date, job.end_date):
                if (client.slug, day.isoformat()) in done:
                    continue
                run = _load_day(job, client, day)
                job.results = [
                    *job.results,
                    {
                        "client": client.slug,
                        "date": day.isoformat(),
                        "run_id": run.pk,
                        "status": run.status,
                        "rows_loaded": run.rows_loaded,
                    },
                ]
                job.steps_done = len(job.results)
                job.save(update_fields=["results", "steps_done", "updated_at"])
                if on_step is not None:
                    on_step(job, client, day, run)
    except Exception as error:
        job.status = BackfillStatus.FAILED
        job.message = f"Stopped after {job.steps_done} of {job.steps_total} days: {error}"
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at", "updated_at"])
        raise
    job.status = BackfillStatus.DONE
    job.finished_at = timezone.now()
    failed = sum(1 for step in job.results if step["status"] not in ("success", "partial"))
    job.message = f"{job.steps_done} days loaded" + (f", {failed} without data" if failed else "")
    job.save(update_fields=["status", "finished_at", "message", "updated_at"])
    return job


def _queue_vibe_reports(job: BackfillJob) -> BackfillJob:
    """Vibe is not pulled day by day: the range becomes reports of at most 45 days per client,
    queued fairly across clients; the task cluster advances them within each key's budget."""
    clients = list(job.clients.order_by("name"))
    try:
        request_ids = vibe_backfill(clients=clients, start=job.start_date, end=job.end_date)
    except VibeNotConfigured as error:
        job.status = BackfillStatus.FAILED
        job.message = str(error)
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at", "updated_at"])
        return job
    requests = VibeReportRequest.objects.filter(pk__in=request_ids).select_related("client")
    job.results = [
        {
            "client": request.client.slug,
            "report_request_id": request.pk,
            "start": request.start_date.isoformat(),
            "end": request.end_date.isoformat(),
            "state": request.state,
        }
        for request in requests.order_by("next_attempt_at", "pk")
    ]
    job.steps_total = job.steps_done = len(job.results)
    job.status = BackfillStatus.DONE
    job.finished_at = timezone.now()
    job.message = (
        f"{len(job.results)} Vibe report(s) queued; the task cluster loads them as each API "
        "key's budget allows (see Vibe report requests in the admin)."
    )
    job.save()
    return job


def _load_day(job: BackfillJob, client: Client, day: dt.date) -> IngestionRun:
    if job.source == Source.SURFSIDE:
        return surfside_ingest_day(
            client=client, day=day, trigger=RunTrigger.BACKFILL, triggered_by=job.requested_by
        )
    raise ValueError(f"Backfills from {job.source} are not run day by day.")
