"""Leases on long jobs: a live process says "I am working on this" until it is done.

``take(kind, id)`` records a lease for this process (replacing any earlier holder's);
``release(kind, id)`` removes it; ``held(kind, id)`` does both around a block. One daemon thread
per process (started with the first lease) refreshes the heartbeat of every lease the process
holds every ``LEASE_HEARTBEAT_SECONDS``, from its own database session, and records that session.
A process killed with SIGKILL (an OOM kill, a gunicorn timeout, a restarted worker) loses its
sessions at once and stops beating, so ``operations.sweeper`` can tell its leases are dead and
fail their jobs with a message instead of leaving them "processing" forever.

The thread uses its own connection, and the lease is a row of its own rather than a column of
the job's row, so a heartbeat never waits on the row locks a long transaction of the job holds.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, connections

logger = logging.getLogger(__name__)

# The kinds of job that carry a lease (``operations.sweeper`` knows how to fail each).
INGESTION_RUN = "ingestion_run"
BACKFILL = "backfill"
VIBE_REPORT = "vibe_report"
SCHEDULED_RUN = "scheduled_run"
EXPORT = "export"
REPRICING = "repricing"


def holder() -> str:
    """This process, as people read it in a failure message."""
    return f"{socket.gethostname()} pid {os.getpid()}"


class _Heartbeat(threading.Thread):
    """Refreshes this process's leases; one per process (a forked child starts its own)."""

    def __init__(self, name: str) -> None:
        super().__init__(name="lease-heartbeat", daemon=True)
        self.holder = name
        self.wake = threading.Event()
        self.ready = threading.Event()

    def run(self) -> None:
        while True:
            try:
                self.beat()
            except Exception:
                logger.exception("lease heartbeat failed; trying again")
                connections.close_all()
            self.ready.set()
            self.wake.wait(settings.LEASE_HEARTBEAT_SECONDS)
            self.wake.clear()

    def beat(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                UPDATE core_lease SET heartbeat_at = now(), backend_pid = me.pid,
                    backend_start = me.backend_start
                FROM (SELECT pid, backend_start FROM pg_stat_activity
                      WHERE pid = pg_backend_pid()) AS me
                WHERE holder = %s
                """,
                [self.holder],
            )


_lock = threading.Lock()
_thread: _Heartbeat | None = None


def _heartbeat() -> _Heartbeat | None:
    """This process's heartbeat thread, started on first use (none when switched off)."""
    global _thread
    if not settings.LEASE_HEARTBEAT_THREAD:
        return None
    with _lock:
        if _thread is None or _thread.holder != holder() or not _thread.is_alive():
            _thread = _Heartbeat(holder())
            _thread.start()
        return _thread


def take(kind: str, object_id: int) -> None:
    """Record that this process works on job ``kind`` #``object_id`` now (taking it over from an
    earlier holder: a task continuing a run a web request created)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO core_lease (kind, object_id, holder, taken_at, heartbeat_at)
            VALUES (%s, %s, %s, now(), now())
            ON CONFLICT (kind, object_id) DO UPDATE SET holder = EXCLUDED.holder,
                taken_at = now(), heartbeat_at = now(), backend_pid = NULL, backend_start = NULL
            """,
            [kind, object_id, holder()],
        )
    thread = _heartbeat()
    if thread is not None:
        # Beat now, so the lease names a session the sweeper can check from the start.
        thread.ready.clear()
        thread.wake.set()
        thread.ready.wait(5)


def release(kind: str, object_id: int) -> None:
    """This process is done with the job (a lease another process took over is left alone)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM core_lease WHERE kind = %s AND object_id = %s AND holder = %s",
            [kind, object_id, holder()],
        )


@contextmanager
def held(kind: str, object_id: int) -> Iterator[None]:
    take(kind, object_id)
    try:
        yield
    finally:
        release(kind, object_id)


# A job queued for a worker is leased to the queue until a worker takes it over (``take``): the
# holder names the queued task, so the sweeper can tell a task that is waiting from one the
# broker lost (``operations.sweeper``).
QUEUED = "queued task"


def take_queued(kind: str, object_id: int) -> None:
    """Lease job ``kind`` #``object_id`` to the task queue from the moment it is queued (the
    task's id is added by ``queued_as`` once the broker accepted it)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO core_lease (kind, object_id, holder, taken_at, heartbeat_at)
            VALUES (%s, %s, %s, now(), now())
            ON CONFLICT (kind, object_id) DO NOTHING
            """,
            [kind, object_id, QUEUED],
        )


def queued_as(kind: str, object_id: int, task_id: str) -> None:
    """The broker accepted the job's task ``task_id`` (a worker that already took the job over,
    as the synchronous cluster of the tests does, keeps its lease)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_lease SET holder = %s WHERE kind = %s AND object_id = %s AND holder = %s",
            [f"{QUEUED} {task_id}", kind, object_id, QUEUED],
        )


def queued_task_id(holder_name: str) -> str | None:
    """The task id of a lease held by the queue ("" when the broker never accepted it); None for
    a lease held by a process."""
    if not holder_name.startswith(QUEUED):
        return None
    return holder_name[len(QUEUED) :].strip()
