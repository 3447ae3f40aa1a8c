"""The scheduled tasks as an operator reads them: each job's name, what it runs, its cron string
and its next and last run in the schedules' time zone (America/New_York).

Every schedule is django-q2's per-minute tick of ``operations.scheduling.run_scheduled_job``, so
django-q2's own list read "run_scheduled_job / Minutes / -1" on every row; the job's times come
from its cron string and the ``ScheduledRun`` ledger instead.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.utils import timezone
from django_q.admin import ScheduleAdmin
from django_q.models import Schedule

from operations.scheduling import JOBS, schedule_time_zone
from reports.models import ScheduledRun

# How far ahead the next run is looked for (a yearly cron string still has one).
_HORIZON = dt.timedelta(days=366)


def local_time(moment: dt.datetime) -> str:
    """``Mon Nov 30 2026, 05:00 EST``: a moment in the schedules' time zone."""
    local = moment.astimezone(schedule_time_zone())
    return f"{local:%a %b} {local.day} {local:%Y, %H:%M %Z}"


class JobScheduleAdmin(ScheduleAdmin):
    list_display = ["job_name", "runs", "when", "next_run_local", "last_run"]
    list_display_links = ["job_name"]
    list_filter: tuple[str, ...] = ()
    ordering = ["name"]

    @admin.display(description="Job", ordering="name")
    def job_name(self, schedule: Schedule) -> str:
        return schedule.name or ""

    @admin.display(description="Runs")
    def runs(self, schedule: Schedule) -> str:
        job = JOBS.get(schedule.name or "")
        return job.func if job else schedule.func

    @admin.display(description=f"When ({schedule_time_zone().key})")
    def when(self, schedule: Schedule) -> str:
        job = JOBS.get(schedule.name or "")
        if job is None:
            return schedule.get_schedule_type_display()
        return "every minute" if job.every_minute else job.cron.expression

    @admin.display(description="Next run")
    def next_run_local(self, schedule: Schedule) -> str:
        job = JOBS.get(schedule.name or "")
        if job is None:
            return local_time(schedule.next_run) if schedule.next_run else "-"
        if job.every_minute:
            return "every minute"
        now = timezone.now()
        upcoming = job.cron.fire_times(after=now, until=now + _HORIZON, tz=schedule_time_zone())
        following = next(upcoming, None)
        return local_time(following) if following else "-"

    @admin.display(description="Last run")
    def last_run(self, schedule: Schedule) -> str:
        entry = ScheduledRun.objects.filter(job=schedule.name).order_by("-intended_at").first()
        if entry is None:
            return "-"
        return f"{local_time(entry.intended_at)}: {entry.get_status_display()}"


admin.site.unregister(Schedule)
admin.site.register(Schedule, JobScheduleAdmin)
