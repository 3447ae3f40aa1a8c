"""Queued work of the ingestion app (django-q2). Tasks take ids, are safe to run twice, and are
queued after the transaction that asked for them commits."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from accounts.models import User
from clients.models import Client, ClientStatus
from core import leases
from ingestion.backfill import backfill_run
from ingestion.models.runs import IngestionRun, RunTrigger
from ingestion.sources.surfside.services import surfside_ingest_day


def queue(func: str, *args: object, lease: tuple[str, int] | None = None, **kwargs: object) -> None:
    """Queue ``func`` once the current transaction commits (at once outside one). ``lease``:
    the (kind, id) of the job leased to the queue (``core.leases.take_queued``), told the task's
    id so the sweeper can check the broker still holds it."""

    def send() -> None:
        task_id = async_task(func, *args, **kwargs)
        if lease is not None:
            leases.queued_as(*lease, task_id=str(task_id))

    transaction.on_commit(send)


def surfside_daily(day: str | None = None) -> int:
    """Fan out one Surfside run per enabled client for ``day`` (default: yesterday, local)."""
    target = dt.date.fromisoformat(day) if day else timezone.localdate() - dt.timedelta(days=1)
    client_ids = list(
        Client.objects.filter(
            status=ClientStatus.ACTIVE, surfside_connection__is_enabled=True
        ).values_list("pk", flat=True)
    )
    for client_id in client_ids:
        queue(
            "ingestion.tasks.surfside_client_day",
            client_id,
            target.isoformat(),
            RunTrigger.SCHEDULE,
        )
    return len(client_ids)


def surfside_client_day(
    client_id: int, day: str, trigger: str = RunTrigger.SCHEDULE, run_id: int | None = None
) -> int:
    """Load one client's Surfside file for one day (continuing run ``run_id`` when an admin's
    trigger created it already); returns the run id. A finished run is not run again."""
    client = Client.objects.get(pk=client_id)
    run = IngestionRun.objects.filter(pk=run_id).first() if run_id else None
    if run is not None and run.finished_at is not None:
        return run.pk
    run = surfside_ingest_day(
        client=client,
        day=dt.date.fromisoformat(day),
        trigger=trigger,
        triggered_by=run.triggered_by if run else None,
        run=run,
    )
    return run.pk


def run_backfill(job_id: int) -> None:
    backfill_run(job_id)


def rerun(run_id: int, user_id: int | None = None, new_run_id: int | None = None) -> int:
    """Re-run ``run_id`` (continuing run ``new_run_id`` when the request created it; a finished
    one is not run again); returns the new run's id."""
    from ingestion.services import ingestion_run_rerun

    run = IngestionRun.objects.get(pk=run_id)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    new = IngestionRun.objects.filter(pk=new_run_id).first() if new_run_id else None
    if new is not None and new.finished_at is not None:
        return new.pk
    return ingestion_run_rerun(run=run, by=user, new=new).pk
