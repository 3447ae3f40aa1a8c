"""Several hosts (issue 13, Deliver 7): two ``manage.py qcluster`` processes on one database run
a day of schedules, and each scheduled job runs once per intended time.

The day is simulated: every dated job is given an hourly cron (through the environment, as an
operator would) and its ledger starts a day back, so the first pass of either cluster owes 24
runs of each job. Both clusters are then handed the same ticks at the same time (three
``run_scheduled_job`` tasks per job in the shared queue, besides their own schedulers' ticks),
which is what two hosts firing the same schedule look like. The ledger must hold each intended
time once, done, and the jobs' functions must have run exactly 24 times each in total.
"""

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_q.models import OrmQ, Task
from django_q.tasks import async_task

from operations.cron import parse
from operations.scheduling import JOBS, schedule_time_zone
from reports.models import ScheduledRun, ScheduledRunStatus

pytestmark = pytest.mark.django_db(transaction=True)

HOURLY = "0 * * * *"
DATED = [job for job in JOBS.values() if not job.every_minute]
TICKS_PER_JOB = 3


def _database_url() -> str:
    config = connection.settings_dict
    port = f"&port={config['PORT']}" if config["PORT"] else ""
    return (
        f"postgresql://{config['USER']}:{config['PASSWORD']}@/{config['NAME']}"
        f"?host={config['HOST']}{port}"
    )


def _cluster() -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dashboard_project.settings.local",
        "DATABASE_URL": _database_url(),
        "SECRET_KEY": settings.SECRET_KEY,  # tasks are signed with it
        "Q_WORKERS": "2",
        "DEBUG": "0",
        **{f"SCHEDULE_{job.name.upper()}_CRON": HOURLY for job in DATED},
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _stop(cluster: subprocess.Popen[str]) -> str:
    if cluster.poll() is None:
        cluster.send_signal(signal.SIGTERM)
        try:
            return cluster.communicate(timeout=60)[0]
        except subprocess.TimeoutExpired:
            cluster.kill()
    return cluster.communicate(timeout=10)[0]


def _ran(job: str) -> int:
    """How many times the job's function ran, by the results of every tick task."""
    total = 0
    for result in Task.objects.filter(
        func="operations.scheduling.run_scheduled_job", args=(job,)
    ).values_list("result", flat=True):
        match = re.fullmatch(r"ran (\d+)", str(result))
        total += int(match.group(1)) if match else 0
    return total


def test_two_clusters_run_a_day_of_schedules_each_job_once_per_intended_time():
    now = timezone.now()
    day_ago = now - dt.timedelta(days=1)
    for job in DATED:
        ScheduledRun.objects.create(
            job=job.name,
            intended_at=day_ago,
            status=ScheduledRunStatus.DONE,
            finished_at=day_ago,
        )
    clusters = [_cluster(), _cluster()]
    outputs: list[str] = []
    try:
        for job in DATED:
            for _ in range(TICKS_PER_JOB):
                async_task("operations.scheduling.run_scheduled_job", job.name, sync=False)
        started = time.monotonic()
        deadline = started + 180
        ticks = TICKS_PER_JOB * len(DATED)
        while time.monotonic() < deadline:
            assert all(cluster.poll() is None for cluster in clusters), "a cluster exited"
            done = Task.objects.filter(func="operations.scheduling.run_scheduled_job").count()
            running = ScheduledRun.objects.filter(status=ScheduledRunStatus.RUNNING).exists()
            if done >= ticks and not running and not OrmQ.objects.exists():
                break
            time.sleep(0.5)
        else:
            pytest.fail("the clusters did not work through the ticks within 180 s")
        spent = time.monotonic() - started
        print(f"\ntwo clusters worked through a day of schedules in {spent:.1f} s")
    finally:
        outputs = [_stop(cluster) for cluster in clusters]

    cron = parse(HOURLY)
    for job in DATED:
        owed = list(cron.fire_times(after=day_ago, until=now, tz=schedule_time_zone()))
        assert len(owed) == 24
        entries = ScheduledRun.objects.filter(job=job.name, intended_at__gt=day_ago)
        intended = sorted(entries.values_list("intended_at", flat=True))
        # Each intended time once (times that came due while the test ran are extra, not double).
        assert intended[:24] == owed, job.name
        assert len(intended) == len(set(intended))
        assert not entries.exclude(status=ScheduledRunStatus.DONE).exists(), list(
            entries.exclude(status=ScheduledRunStatus.DONE).values_list("status", "message")
        )
        # And the job itself ran once per ledger entry, whichever cluster claimed it.
        assert _ran(job.name) == len(intended), job.name
    for output in outputs:
        assert "Traceback" not in output, output[-3000:]
    shares = [
        sum("processing" in line and "run_scheduled_job" in line for line in output.splitlines())
        for output in outputs
    ]
    print(f"tick tasks processed by each cluster (log lines): {shares}")
