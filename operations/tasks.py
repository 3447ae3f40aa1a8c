"""Queued work of operations (django-q2): retention and housekeeping. Tasks take ids and ISO
dates, are safe to run twice, and fan out one task per client."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from ingestion.tasks import queue
from metrics.partitions import partitions_ensure
from metrics.periods import ONE_DAY
from operations import retention


def _day(day: str | None) -> dt.date:
    """``day`` as a date; by default yesterday (local), the last full day."""
    return dt.date.fromisoformat(day) if day else timezone.localdate() - ONE_DAY


# --- Retention -------------------------------------------------------------------------------


def retention_run(day: str | None = None) -> int:
    """Purge what is past its age, then queue the archiving of each expired month of daily
    metrics (all clients at once: the window is global). Returns the number of months queued."""
    target = _day(day)
    retention.purge_expired(day=target)
    months = retention.expired_months(day=target)
    for month in months:
        queue("operations.tasks.retention_archive_month", month.isoformat())
    return len(months)


def retention_archive_month(month: str) -> int:
    """Archive one expired month of every client, then drop its partition; returns the number
    of client archives written."""
    return len(retention.archive_month(month=dt.date.fromisoformat(month)))


def partitions_run() -> int:
    """Create the coming months' partitions of the daily metrics (and move any rows out of the
    DEFAULT partition). Idempotent; returns the number of partitions created."""
    return len(partitions_ensure(today=timezone.localdate()))


# --- Housekeeping ----------------------------------------------------------------------------


def flush_expired_tokens() -> None:
    """Delete expired JWT refresh tokens (simplejwt's blacklist app)."""
    call_command("flushexpiredtokens")
