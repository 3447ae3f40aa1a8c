"""Leases: which process is working on a long job right now (see ``core.leases``)."""

from django.db import models
from django.db.models.functions import Now


class Lease(models.Model):
    """A claim by one live process on one long job (an ingestion run, a backfill, a Vibe report
    request, a scheduled job's ledger entry).

    The holder's heartbeat thread refreshes ``heartbeat_at`` and records the database session it
    beats from (``backend_pid``/``backend_start``). The sweeper (``operations.sweeper``) treats a
    lease as dead when that session is gone (the process was killed: PostgreSQL ends its sessions
    at once) or when the heartbeat is older than ``LEASE_TIMEOUT_SECONDS`` (a host that vanished
    without closing its connections), marks the job failed and deletes the lease.
    """

    kind = models.CharField(max_length=32)
    object_id = models.BigIntegerField()
    holder = models.CharField(max_length=200, help_text="Host and process id of the holder.")
    backend_pid = models.IntegerField(null=True, blank=True)
    backend_start = models.DateTimeField(null=True, blank=True)
    taken_at = models.DateTimeField(db_default=Now())
    heartbeat_at = models.DateTimeField(db_default=Now())

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="lease_one_per_job"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.object_id} held by {self.holder}"
