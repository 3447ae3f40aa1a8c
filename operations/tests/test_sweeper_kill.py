"""Leases and the sweeper, with a real process kill (issue 13, defect 3).

A subprocess uploads a Facebook export through the real service and pipeline against the test
database, and is SIGKILLed while its load transaction is open (after the upsert, before the
commit). The run and the upload must not stay "processing" forever, the per-client lock must be
free, nothing half-loaded may remain, and the same file must be accepted again.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings

from campaigns.models import Source
from core.models import Lease
from ingestion.models import FacebookUpload, IngestionRun, RunStatus, UploadStatus
from ingestion.tests.test_uploads import EXPORT, upload
from metrics.models import DailyMetric
from operations.sweeper import sweep_dead_leases

pytestmark = pytest.mark.django_db(transaction=True)

# Runs in the child: the real upload service, its load paused (not replaced) once the upsert
# has run inside the open transaction, so the kill lands mid-work.
CHILD = textwrap.dedent(
    """
    import sys, time
    import django
    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from accounts.models import User
    from clients.models import Client
    from ingestion import loader
    from ingestion.sources.facebook.services import facebook_upload_create

    real_load = loader.load

    def load_then_hang(**kwargs):
        result = real_load(**kwargs)
        print("LOADED-NOT-COMMITTED", flush=True)
        time.sleep(600)
        return result

    loader.load = load_then_hang
    client = Client.objects.get(pk=int(sys.argv[1]))
    user = User.objects.get(pk=int(sys.argv[2]))
    content = sys.stdin.buffer.read()
    facebook_upload_create(
        client=client, upload=SimpleUploadedFile("meta.csv", content), by=user
    )
    """
)


def _database_url() -> str:
    config = connection.settings_dict
    port = f"&port={config['PORT']}" if config["PORT"] else ""
    return (
        f"postgresql://{config['USER']}:{config['PASSWORD']}@/{config['NAME']}"
        f"?host={config['HOST']}{port}"
    )


def _lock_is_free(client_id: int) -> bool:
    """Whether the loader's per-client Facebook lock could be taken now (and gives it back)."""
    from ingestion.loader import _LOCK_NAMESPACE

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_NAMESPACE[Source.FACEBOOK], client_id]
        )
        taken = cursor.fetchone()[0]
        if taken:
            cursor.execute(
                "SELECT pg_advisory_unlock(%s, %s)", [_LOCK_NAMESPACE[Source.FACEBOOK], client_id]
            )
    return taken


def _start_child(user) -> subprocess.Popen[bytes]:
    args = [str(user.client_id), str(user.pk)]
    return _child(CHILD, args, EXPORT.encode(), b"LOADED-NOT-COMMITTED")


def _child(script: str, args: list[str], stdin: bytes, ready: bytes) -> subprocess.Popen[bytes]:
    """Run ``script`` against the test database with a real heartbeat; return once it printed
    ``ready``."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dashboard_project.settings.test",
        "DATABASE_URL": _database_url(),
        "LEASE_HEARTBEAT_THREAD": "1",
        "LEASE_HEARTBEAT_SECONDS": "0.5",
    }
    child = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write(stdin)
    child.stdin.close()
    line = child.stdout.readline()
    if line.strip() != ready:
        child.kill()
        _, errors = child.communicate(timeout=10)
        pytest.fail(f"the child did not reach the load: {line!r} {errors[-3000:]!r}")
    return child


@override_settings(LEASE_HEARTBEAT_SECONDS=0.5, LEASE_TIMEOUT_SECONDS=120)
def test_a_killed_upload_is_failed_by_the_sweeper_and_the_file_can_be_uploaded_again(api, user_a):
    child = _start_child(user_a)
    try:
        run = IngestionRun.objects.get()
        assert (run.status, run.source) == (RunStatus.PROCESSING, Source.FACEBOOK)
        assert FacebookUpload.objects.get().status == UploadStatus.PROCESSING
        # The child holds the lease (beating from a live session) and the client's lock.
        deadline = time.monotonic() + 10
        while Lease.objects.filter(backend_pid__isnull=True).exists():
            assert time.monotonic() < deadline, "the lease never got a heartbeat"
            time.sleep(0.1)
        lease = Lease.objects.get()
        assert (lease.kind, lease.object_id) == ("ingestion_run", run.pk)
        assert lease.holder.endswith(f"pid {child.pid}")
        assert not _lock_is_free(user_a.client_id)
        # While it lives, the sweeper leaves it alone however often it runs.
        time.sleep(1.5)
        assert sweep_dead_leases() == []
        assert IngestionRun.objects.get().status == RunStatus.PROCESSING
    except BaseException:
        child.kill()
        raise

    os.kill(child.pid, signal.SIGKILL)
    killed = time.monotonic()
    child.wait(10)
    swept = []
    while not swept and time.monotonic() - killed < 30:
        swept = sweep_dead_leases()
        if not swept:
            time.sleep(0.1)
    elapsed = time.monotonic() - killed
    print(f"\nsweeper marked the killed run failed {elapsed:.2f} s after SIGKILL")

    assert [(item.kind, item.object_id) for item in swept] == [("ingestion_run", run.pk)]
    assert elapsed < 5
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.finished_at is not None
    assert run.message.startswith(
        "The run did not finish: the process running it stopped (worker killed or restarted; "
        f"it ran on {lease.holder}). Whatever it was loading was rolled back"
    )
    assert FacebookUpload.objects.get().status == UploadStatus.FAILED
    assert not Lease.objects.exists()
    assert _lock_is_free(user_a.client_id)
    assert not DailyMetric.objects.exists()  # the killed transaction left nothing behind

    again = upload(api, user_a)
    assert again.status_code == 201, again.json()
    assert (again.json()["status"], again.json()["rows_loaded"]) == ("loaded", 3)
    assert DailyMetric.objects.count() == 2
    assert sweep_dead_leases() == []


# A backfill worker killed mid-day: its first day's run has started (S3 reached) when it dies.
BACKFILL_CHILD = textwrap.dedent(
    """
    import sys, time
    import django
    django.setup()
    from ingestion import backfill
    from ingestion.pipeline import start_run

    def load_day_and_hang(job, client, day):
        start_run(client=client, source="surfside", trigger="backfill", requested_date=day)
        print("DAY-STARTED", flush=True)
        time.sleep(600)

    backfill._load_day = load_day_and_hang
    backfill.backfill_run(int(sys.argv[1]))
    """
)


@override_settings(LEASE_HEARTBEAT_SECONDS=0.5, LEASE_TIMEOUT_SECONDS=120)
def test_a_killed_backfill_worker_leaves_a_failed_backfill_not_running_forever(client_a):
    import datetime as dt

    from ingestion.models import BackfillJob, BackfillStatus

    job = BackfillJob.objects.create(
        source="surfside",
        start_date=dt.date(2025, 11, 1),
        end_date=dt.date(2025, 11, 3),
        steps_total=3,
    )
    job.clients.set([client_a])
    child = _child(BACKFILL_CHILD, [str(job.pk)], b"", b"DAY-STARTED")
    try:
        assert BackfillJob.objects.get().status == BackfillStatus.RUNNING
        deadline = time.monotonic() + 10
        while Lease.objects.count() < 2 or Lease.objects.filter(backend_pid=None).exists():
            assert time.monotonic() < deadline, list(Lease.objects.values())
            time.sleep(0.1)
        assert sweep_dead_leases() == []
    except BaseException:
        child.kill()
        raise
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    killed = time.monotonic()
    swept = []
    while len(swept) < 2 and time.monotonic() - killed < 30:
        swept += sweep_dead_leases()
        time.sleep(0.1)

    run = IngestionRun.objects.get()
    assert sorted((item.kind, item.object_id) for item in swept) == [
        ("backfill", job.pk),
        ("ingestion_run", run.pk),
    ]
    job.refresh_from_db()
    assert job.status == BackfillStatus.FAILED
    assert job.message.startswith(
        "Stopped after 0 of 3 days: the process running it stopped (worker killed or restarted;"
    )
    assert run.status == RunStatus.FAILED
    assert not Lease.objects.exists()


# A cluster worker killed while a scheduled job runs: the ledger entry must not stay "running".
SCHEDULED_CHILD = textwrap.dedent(
    """
    import time
    import django
    django.setup()
    from operations import scheduling

    def hang(day=None):
        print("JOB-RUNNING", flush=True)
        time.sleep(600)

    scheduling.job_function = lambda job: hang
    scheduling.run_scheduled_job("surfside")
    """
)


@override_settings(LEASE_HEARTBEAT_SECONDS=0.5, LEASE_TIMEOUT_SECONDS=120)
def test_a_killed_scheduled_job_leaves_a_failed_ledger_entry():
    from reports.models import ScheduledRun, ScheduledRunStatus

    child = _child(SCHEDULED_CHILD, [], b"", b"JOB-RUNNING")
    try:
        entry = ScheduledRun.objects.get()
        assert (entry.job, entry.status) == ("surfside", ScheduledRunStatus.RUNNING)
        deadline = time.monotonic() + 10
        while not Lease.objects.exclude(backend_pid=None).exists():
            assert time.monotonic() < deadline
            time.sleep(0.1)
    except BaseException:
        child.kill()
        raise
    os.kill(child.pid, signal.SIGKILL)
    child.wait(10)
    killed = time.monotonic()
    swept = []
    while not swept and time.monotonic() - killed < 30:
        swept = sweep_dead_leases()
        time.sleep(0.1)
    assert [(item.kind, item.object_id) for item in swept] == [("scheduled_run", entry.pk)]
    entry.refresh_from_db()
    assert entry.status == ScheduledRunStatus.FAILED
    assert entry.message.startswith(
        "Did not finish: the process running it stopped (worker killed or restarted; it ran on "
    )
