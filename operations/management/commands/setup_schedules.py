"""``manage.py setup_schedules``: declare every schedule of ``operations.scheduling.JOBS``.

Idempotent: a schedule is found by its name and updated in place; duplicates of a name (from a
hand-made copy, say) are removed, and so are schedules of the wrapper whose job no longer exists.
Two deployments running it at once take turns (an advisory lock), so they cannot both create.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django_q.models import Schedule

from operations.cron import CronError
from operations.scheduling import JOBS, WRAPPER, Job

# Any constant: the key of the advisory lock that serialises concurrent runs of this command.
_LOCK_KEY = 7_310_521


def schedule_fields(job: Job) -> dict[str, Any]:
    """The django-q schedule of a job: the wrapper, every minute, with the job's name."""
    return {
        "func": WRAPPER,
        "args": repr(job.name),
        # Successful ticks are not kept as task results (the ledger records the runs); failures
        # still are.
        "kwargs": "{'q_options': {'save': False}}",
        "hook": None,
        "schedule_type": Schedule.MINUTES,
        "minutes": 1,
        "repeats": -1,
        "cluster": None,
        "intended_date_kwarg": None,
    }


class Command(BaseCommand):
    help = "Create or update every scheduled job (idempotent); cron strings come from settings."

    def handle(self, *args: Any, **options: Any) -> None:
        for job in JOBS.values():
            try:
                job.cron  # noqa: B018 - parsed here so a bad cron string fails the deployment
            except CronError as error:
                raise CommandError(f"schedule {job.name}: {error}") from None
        outcome: dict[str, str] = {}
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
            for job in JOBS.values():
                outcome[job.name] = self._declare(job)
            stale = Schedule.objects.filter(func=WRAPPER).exclude(name__in=list(JOBS))
            removed = [name or "" for name in stale.values_list("name", flat=True)]
            stale.delete()
        for job in JOBS.values():
            self.stdout.write(
                f"{outcome[job.name]:<9} {job.name:<16} {job.cron.expression:<14} {job.func}"
            )
        for name in removed:
            self.stdout.write(f"{'removed':<9} {name}")
        self.stdout.write(self.style.SUCCESS(f"{len(JOBS)} schedules declared (America/New_York)."))

    def _declare(self, job: Job) -> str:
        fields = schedule_fields(job)
        declared = list(Schedule.objects.filter(name=job.name).order_by("pk"))
        if not declared:
            Schedule.objects.create(name=job.name, **fields)
            return "created"
        schedule, duplicates = declared[0], declared[1:]
        for duplicate in duplicates:
            duplicate.delete()
        changed = [name for name, value in fields.items() if getattr(schedule, name) != value]
        if changed:
            for name in changed:
                setattr(schedule, name, fields[name])
            schedule.save(update_fields=changed)
        return "updated" if changed or duplicates else "unchanged"
