"""A run queued for a worker is leased to the queue from the moment it is queued (issue 13):
the sweeper fails it when the broker lost its task, and leaves it while the task waits.

The task goes to the real ORM broker (django-q's queue table), as in production: the tests'
synchronous cluster is switched off for these tests, so nothing runs the task until a worker
would; losing it is deleting it from the broker (a flushed queue, a lost message).
"""

import datetime as dt

import pytest
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ

from core import leases
from core.models import Lease
from ingestion.models import IngestionRun, RunStatus
from operations.sweeper import sweep_dead_leases

pytestmark = pytest.mark.django_db


@pytest.fixture
def real_broker(monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)


def _queue_a_run(api, admin_user, client_a, capture) -> IngestionRun:
    with capture(execute=True):
        response = api(admin_user).post(
            "/api/v1/admin/ingestion/trigger",
            {"client_id": client_a.pk, "source": "surfside", "date": "2025-11-03"},
            format="json",
        )
    assert response.status_code == 202
    return IngestionRun.objects.get(pk=response.json()["id"])


def _age(seconds: float) -> None:
    Lease.objects.update(heartbeat_at=timezone.now() - dt.timedelta(seconds=seconds))


def test_a_run_whose_queued_task_was_lost_is_failed_by_the_sweeper(
    api, admin_user, client_a, real_broker, django_capture_on_commit_callbacks, settings
):
    settings.LEASE_TIMEOUT_SECONDS = 120
    run = _queue_a_run(api, admin_user, client_a, django_capture_on_commit_callbacks)
    assert run.status == RunStatus.PROCESSING
    (queued,) = OrmQ.objects.all()
    lease = Lease.objects.get(kind=leases.INGESTION_RUN, object_id=run.pk)
    assert lease.holder == f"queued task {queued.task_id()}"

    # Waiting in the broker, even for longer than a process lease's timeout: left alone.
    _age(3600)
    assert sweep_dead_leases() == []
    run.refresh_from_db()
    assert run.status == RunStatus.PROCESSING

    OrmQ.objects.all().delete()  # the broker loses the task
    (swept,) = sweep_dead_leases()
    assert (swept.kind, swept.object_id) == (leases.INGESTION_RUN, run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.message == (
        f"The run did not finish: its queued task ({queued.task_id()}) was lost before a worker "
        "started it. Whatever it was loading was rolled back, so the data is as before the run. "
        "Re-run it."
    )
    assert not Lease.objects.exists()


def test_a_just_queued_run_is_not_swept_before_its_task_is_in_the_broker(
    api, admin_user, client_a, real_broker, django_capture_on_commit_callbacks, settings
):
    # Queued in the request's transaction: the lease exists before the task does.
    settings.LEASE_HEARTBEAT_SECONDS = 10
    with django_capture_on_commit_callbacks(execute=False):
        response = api(admin_user).post(
            "/api/v1/admin/ingestion/trigger",
            {"client_id": client_a.pk, "source": "surfside", "date": "2025-11-03"},
            format="json",
        )
    run_id = response.json()["id"]
    assert Lease.objects.get(object_id=run_id).holder == "queued task"
    assert sweep_dead_leases() == []
    # A task the broker never accepted is lost once the lease is stale.
    _age(settings.LEASE_TIMEOUT_SECONDS + 1)
    (swept,) = sweep_dead_leases()
    assert swept.object_id == run_id
    assert "its queued task (never accepted by the broker) was lost" in (
        IngestionRun.objects.get(pk=run_id).message
    )


def test_a_worker_that_starts_the_run_takes_the_lease_over(
    api, admin_user, client_a, real_broker, django_capture_on_commit_callbacks
):
    run = _queue_a_run(api, admin_user, client_a, django_capture_on_commit_callbacks)
    leases.take(leases.INGESTION_RUN, run.pk)  # what the task does first (``adopt_run``)
    OrmQ.objects.all().delete()  # acknowledged
    assert Lease.objects.get().holder == leases.holder()
    assert sweep_dead_leases() == []  # a live process's lease: not the queue's rules
    run.refresh_from_db()
    assert run.status == RunStatus.PROCESSING
