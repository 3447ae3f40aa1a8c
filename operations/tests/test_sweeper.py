"""The sweeper's rules for each kind of leased job, and when a lease counts as dead.

The real kill is in ``test_sweeper_kill``; here the leases are taken by the test process (which
runs no heartbeat thread) and aged by hand, which is what a host that vanished looks like.
"""

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from core import leases
from core.models import Lease
from ingestion.models import BackfillJob, BackfillStatus, IngestionRun, RunStatus, VibeReportRequest
from ingestion.sources.vibe.models import ReportState
from ingestion.tests.factories import IngestionRunFactory
from operations.scheduling import JOBS
from operations.sweeper import sweep_dead_leases
from reports.models import ScheduledRun, ScheduledRunStatus

pytestmark = pytest.mark.django_db


def _age(seconds: float) -> None:
    Lease.objects.update(heartbeat_at=timezone.now() - dt.timedelta(seconds=seconds))


def test_the_sweeper_is_scheduled_every_minute():
    job = JOBS["lease_sweeper"]
    assert (job.func, job.every_minute) == ("operations.sweeper.lease_sweeper", True)


def test_a_lease_without_heartbeat_for_longer_than_the_timeout_is_swept(client_a, settings):
    settings.LEASE_TIMEOUT_SECONDS = 120
    run = IngestionRunFactory(client=client_a, status=RunStatus.PROCESSING, finished_at=None)
    leases.take(leases.INGESTION_RUN, run.pk)
    _age(100)
    assert sweep_dead_leases() == []
    assert IngestionRun.objects.get().status == RunStatus.PROCESSING
    _age(121)
    assert [s.object_id for s in sweep_dead_leases()] == [run.pk]
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "the process running it stopped (worker killed or restarted; it ran on " in run.message
    assert not Lease.objects.exists()


def test_a_finished_job_whose_lease_was_left_behind_is_not_touched(client_a):
    run = IngestionRunFactory(client=client_a, status=RunStatus.SUCCESS, message="3 rows loaded.")
    leases.take(leases.INGESTION_RUN, run.pk)
    _age(10_000)
    assert len(sweep_dead_leases()) == 1
    run.refresh_from_db()
    assert (run.status, run.message) == (RunStatus.SUCCESS, "3 rows loaded.")
    assert not Lease.objects.exists()


def test_a_dead_backfill_is_failed_saying_how_far_it_got(client_a):
    job = BackfillJob.objects.create(
        source="surfside",
        start_date=dt.date(2025, 11, 1),
        end_date=dt.date(2025, 11, 3),
        status=BackfillStatus.RUNNING,
        steps_total=3,
        steps_done=1,
    )
    leases.take(leases.BACKFILL, job.pk)
    _age(10_000)
    sweep_dead_leases()
    job.refresh_from_db()
    assert job.status == BackfillStatus.FAILED
    assert job.finished_at is not None
    assert job.message.startswith(
        "Stopped after 1 of 3 days: the process running it stopped (worker killed or restarted;"
    )
    assert job.message.endswith("Start it again to finish; the days already loaded are skipped.")


def test_a_dead_schedule_ledger_entry_is_failed(client_a):
    entry = ScheduledRun.objects.create(
        job="surfside", intended_at=timezone.now(), status=ScheduledRunStatus.RUNNING
    )
    leases.take(leases.SCHEDULED_RUN, entry.pk)
    _age(10_000)
    sweep_dead_leases()
    entry.refresh_from_db()
    assert entry.status == ScheduledRunStatus.FAILED
    assert entry.message.startswith("Did not finish: the process running it stopped")


def test_a_dead_vibe_claim_is_released_for_the_next_pass(client_a):
    later = timezone.now() + dt.timedelta(minutes=10)
    request = VibeReportRequest.objects.create(
        client=client_a,
        start_date=dt.date(2025, 11, 3),
        end_date=dt.date(2025, 11, 3),
        state=ReportState.POLLING,
        claim_token=uuid.uuid4(),
        next_attempt_at=later,
    )
    leases.take(leases.VIBE_REPORT, request.pk)
    _age(10_000)
    sweep_dead_leases()
    request.refresh_from_db()
    assert request.state == ReportState.POLLING
    assert request.claim_token is None
    assert request.next_attempt_at < later
    assert request.note.startswith("Interrupted: the process running it stopped")


def test_the_scheduler_leases_the_ledger_entry_while_the_job_runs(client_a, monkeypatch):
    seen = []

    def job(day=None):
        seen.append(list(Lease.objects.values_list("kind", flat=True)))

    monkeypatch.setattr("operations.scheduling.job_function", lambda _job: job)
    from operations.scheduling import run_scheduled_job

    assert run_scheduled_job("surfside") == "ran 1"
    assert seen == [["scheduled_run"]]
    assert not Lease.objects.exists()
    assert ScheduledRun.objects.get().status == ScheduledRunStatus.DONE


def test_runs_and_backfills_release_their_lease_when_they_end(
    client_a, django_capture_on_commit_callbacks
):
    from ingestion.backfill import backfill_create, backfill_run
    from ingestion.pipeline import finish_run, start_run

    run = start_run(client=client_a, source="surfside", trigger="manual")
    assert list(Lease.objects.values_list("kind", "object_id")) == [("ingestion_run", run.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        finish_run(run, status=RunStatus.FAILED, message="x")
    assert not Lease.objects.exists()

    job = backfill_create(
        source="surfside",
        clients=[client_a],
        start=dt.date(2025, 11, 1),
        end=dt.date(2025, 11, 1),
        by=None,
    )
    with django_capture_on_commit_callbacks(execute=True):
        backfill_run(job.pk)
    assert not Lease.objects.exists()
