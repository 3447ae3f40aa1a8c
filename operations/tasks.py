"""Queued work of operations (django-q2): retention and housekeeping. Tasks take ids and ISO
dates, are safe to run twice, and fan out one task per client."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from ingestion.tasks import queue
from metrics.periods import ONE_DAY
from operations import retention


def _day(day: str | None) -> dt.date:
    """``day`` as a date; by default yesterday (local), the last full day."""
    return dt.date.fromisoformat(day) if day else timezone.localdate() - ONE_DAY


# --- Retention -------------------------------------------------------------------------------


def retention_run(day: str | None = None) -> int:
    """Purge what is past its age, then fan out the archiving of old daily metrics, one task per
    client that has some. Returns the number of clients queued."""
    target = _day(day)
    retention.purge_expired(day=target)
    client_ids = retention.clients_with_expired_metrics(day=target)
    for client_id in client_ids:
        queue("operations.tasks.retention_archive_client", client_id, target.isoformat())
    return len(client_ids)


def retention_archive_client(client_id: int, day: str) -> int:
    """Archive one client's expired months; returns the number of months archived."""
    return len(retention.archive_client(client_id=client_id, day=dt.date.fromisoformat(day)))


# --- Housekeeping ----------------------------------------------------------------------------


def flush_expired_tokens() -> None:
    """Delete expired JWT refresh tokens (simplejwt's blacklist app)."""
    call_command("flushexpiredtokens")
