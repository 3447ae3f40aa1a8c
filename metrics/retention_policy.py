"""How long each kind of record is kept (SPEC 5), as the first day or moment kept.

Retention (``operations.retention``) deletes what falls before these cutoffs; the summaries that
regenerate after late data (``reports.tasks``) leave alone the periods whose days are gone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from metrics.periods import ONE_DAY, detail_window_start


@dataclass(frozen=True)
class Cutoffs:
    """The first day or moment each kind of record is kept from."""

    daily_metrics: dt.date
    staging: dt.datetime
    ingestion_logs: dt.datetime
    audit: dt.datetime


def cutoffs(day: dt.date) -> Cutoffs:
    """What a retention run for ``day`` keeps. Daily metrics are archived by whole months: the
    cutoff is the first day of the month ``RETENTION_DAILY_METRICS_MONTHS`` before ``day``'s."""
    first_kept = detail_window_start(day)
    end_of_day = dt.datetime.combine(
        day + ONE_DAY, dt.time(), tzinfo=timezone.get_current_timezone()
    )
    return Cutoffs(
        daily_metrics=first_kept,
        staging=end_of_day - dt.timedelta(days=settings.RETENTION_STAGING_DAYS),
        ingestion_logs=end_of_day - dt.timedelta(days=settings.RETENTION_INGESTION_LOG_DAYS),
        audit=end_of_day - dt.timedelta(days=settings.RETENTION_AUDIT_DAYS),
    )
