"""Every scheduled job, declared once, and the wrapper that runs each once per intended time.

``manage.py setup_schedules`` gives each job of ``JOBS`` one django-q2 schedule, named after the
job, that calls ``run_scheduled_job(name)`` every minute. The wrapper is where the cron string
(``settings.SCHEDULE_CRONS``, America/New_York) is evaluated: it works out which intended run
times have passed since the job last ran (at most ``SCHEDULE_CATCH_UP_DAYS`` back), claims them in
the ``ScheduledRun`` ledger, and runs the job once for each time it claimed, oldest first, passing
the intended day explicitly. So:

* a run missed while the cluster was down happens when it is back, for its intended date;
* the ledger's unique (job, intended time) constraint decides which process runs a job: two
  workers, or two clusters on two machines sharing the database, both try to insert the row and
  only the one whose insert succeeds runs the job;
* the jobs themselves only fan out one task per client (and source), so the clusters' workers
  share the actual work.

Why a per-minute tick rather than django-q's cron schedules: those only know "the next run", not
every run missed. The cron strings are evaluated by cronsim (``reports/cron.py``).

A job whose function cannot be imported (a job declared before its code is deployed) is skipped
with a warning and claims nothing, so it starts cleanly once it exists.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.utils import timezone
from django.utils.module_loading import import_string

from core import leases
from metrics.periods import ONE_DAY
from operations.cron import Cron, parse
from reports.models import ScheduledRun, ScheduledRunStatus

logger = logging.getLogger(__name__)

WRAPPER = "operations.scheduling.run_scheduled_job"
EVERY_MINUTE = "* * * * *"


@dataclass(frozen=True)
class Job:
    """A scheduled job: ``func`` is called as ``func(day="YYYY-MM-DD")`` when ``passes_day``
    (the day before the intended run's date: the last full day, which a 05:00 ingestion loads
    and a Monday summary ends on), else with no argument. An ``every_minute`` job is not tied to
    dates: it runs on every tick, with no ledger and no catch-up."""

    name: str
    func: str
    passes_day: bool = True
    every_minute: bool = False

    @property
    def cron(self) -> Cron:
        return parse(EVERY_MINUTE if self.every_minute else settings.SCHEDULE_CRONS[self.name])


JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job("surfside", "ingestion.tasks.surfside_daily"),
        Job("vibe", "ingestion.sources.vibe.tasks.vibe_daily_all"),
        Job("weekly_summary", "reports.tasks.weekly_summaries"),
        Job("monthly_summary", "reports.tasks.monthly_summaries"),
        Job("retention", "operations.tasks.retention_run"),
        Job("flush_tokens", "operations.tasks.flush_expired_tokens", passes_day=False),
        Job("partitions", "operations.tasks.partitions_run", passes_day=False),
        Job(
            "scheduled_reports",
            "scheduled_reports.tasks.scheduled_reports_send",
            passes_day=False,
        ),
        Job(
            "summaries_catch_up",
            "reports.tasks.summaries_catch_up",
            passes_day=False,
            every_minute=True,
        ),
        Job("pacing_alerts", "pacing.alerts.alerts_send", passes_day=False, every_minute=True),
        Job(
            "lease_sweeper",
            "operations.sweeper.lease_sweeper",
            passes_day=False,
            every_minute=True,
        ),
        Job(
            "vibe_advance",
            "ingestion.sources.vibe.tasks.advance_due_vibe_reports",
            passes_day=False,
            every_minute=True,
        ),
    )
}

_CLAIM_SQL = """
    INSERT INTO reports_scheduledrun (job, intended_at, day, status, started_at, message)
    SELECT %s, due.intended_at, due.day, %s, now(), ''
    FROM unnest(%s::timestamptz[], %s::date[]) AS due(intended_at, day)
    ON CONFLICT (job, intended_at) DO NOTHING
    RETURNING intended_at
"""


def schedule_time_zone() -> ZoneInfo:
    return ZoneInfo(settings.SCHEDULE_TIME_ZONE)


def intended_day(intended_at: dt.datetime) -> dt.date:
    """The day a run intended at ``intended_at`` is about: the day before, locally."""
    return intended_at.astimezone(schedule_time_zone()).date() - ONE_DAY


def due_times(job: Job, *, now: dt.datetime) -> list[dt.datetime]:
    """The job's intended run times not yet claimed: those after the last claimed one, within
    the catch-up window, oldest first. A job that never ran starts from its latest due time
    instead of replaying the whole window."""
    window_start = now - dt.timedelta(days=settings.SCHEDULE_CATCH_UP_DAYS)
    last = ScheduledRun.objects.filter(job=job.name).aggregate(last=Max("intended_at"))["last"]
    after = max(last, window_start) if last else window_start
    times = list(job.cron.fire_times(after=after, until=now, tz=schedule_time_zone()))
    return times if last else times[-1:]


def claim(job: Job, times: list[dt.datetime]) -> list[dt.datetime]:
    """Insert a ledger row for each time; return the times this call inserted (not those another
    process holds already), oldest first. Committed at once outside a transaction, so a second
    process sees the claim before the job even starts."""
    if not times:
        return []
    days = [intended_day(moment) if job.passes_day else None for moment in times]
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, [job.name, ScheduledRunStatus.RUNNING, times, days])
        return sorted(row[0] for row in cursor.fetchall())


def job_function(job: Job) -> Callable[..., Any] | None:
    try:
        return import_string(job.func)
    except ImportError as error:
        logger.warning("scheduled job %s skipped: cannot import %s (%s)", job.name, job.func, error)
        return None


def run_scheduled_job(name: str, now: dt.datetime | None = None) -> str:
    """What every schedule calls: run job ``name`` once for each intended time that is due and
    not yet run. Safe to run any number of times, by any number of processes at once."""
    job = JOBS.get(name)
    if job is None:
        logger.error("no scheduled job is named %r; run manage.py setup_schedules", name)
        return "unknown job"
    func = job_function(job)
    if func is None:
        return "skipped: not importable"
    if job.every_minute:
        func()
        return "ran"
    current = now or timezone.now()
    claimed = claim(job, due_times(job, now=current))
    for intended_at in claimed:
        _run(job, func, intended_at)
    return f"ran {len(claimed)}"


def _run(job: Job, func: Callable[..., Any], intended_at: dt.datetime) -> None:
    """Run the job for one claimed time and record the outcome in its ledger row. A failure is
    recorded (and logged) rather than raised, so the later intended times still run."""
    entry = ScheduledRun.objects.filter(job=job.name, intended_at=intended_at)
    day = intended_day(intended_at) if job.passes_day else None
    logger.info("scheduled job %s for %s starting", job.name, day or intended_at)
    # The ledger entry's lease: should this process die mid-job, the sweeper fails the entry.
    entry_id = entry.values_list("pk", flat=True).get()
    try:
        with leases.held(leases.SCHEDULED_RUN, entry_id):
            result = func(day=day.isoformat()) if day else func()
    except Exception as error:
        logger.exception("scheduled job %s for %s failed", job.name, day or intended_at)
        entry.update(
            status=ScheduledRunStatus.FAILED,
            finished_at=timezone.now(),
            message=f"{type(error).__name__}: {error}"[:2000],
        )
        return
    entry.update(
        status=ScheduledRunStatus.DONE,
        finished_at=timezone.now(),
        message="" if result is None else f"returned {result!r}"[:2000],
    )
