"""Queued work of the reports app (django-q2). Tasks take ids and ISO dates, are safe to run
twice, and fan out one task per client so several cluster processes share the work."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from clients.models import Client, ClientStatus
from ingestion.tasks import queue
from metrics.models import RollupChange
from metrics.periods import ONE_DAY, Granularity, period_start
from metrics.retention_policy import cutoffs
from reports.models import PeriodType
from reports.selectors import summaries_touching
from reports.services import summary_generate


def _day(day: str | None) -> dt.date:
    """``day`` as a date; by default yesterday (local), the last full day."""
    return dt.date.fromisoformat(day) if day else timezone.localdate() - ONE_DAY


def _active_client_ids() -> list[int]:
    return list(
        Client.objects.filter(status=ClientStatus.ACTIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# --- Summaries -------------------------------------------------------------------------------


def weekly_summaries(day: str | None = None) -> int:
    """Fan out the summary of the Monday-Sunday week that contains ``day``, one task per active
    client (scheduled reports send it once complete). Returns the number of clients."""
    start = period_start(_day(day), Granularity.WEEK)
    client_ids = _active_client_ids()
    for client_id in client_ids:
        queue("reports.tasks.summary_client", client_id, PeriodType.WEEK.value, start.isoformat())
    return len(client_ids)


def monthly_summaries(day: str | None = None) -> int:
    """Fan out the summary of the calendar month that contains ``day``, one task per client."""
    start = period_start(_day(day), Granularity.MONTH)
    client_ids = _active_client_ids()
    for client_id in client_ids:
        queue("reports.tasks.summary_client", client_id, PeriodType.MONTH.value, start.isoformat())
    return len(client_ids)


def summary_client(client_id: int, period_type: str, start: str) -> int:
    """Generate one client's summary of one period; returns its id."""
    client = Client.objects.get(pk=client_id)
    return summary_generate(
        client=client, period_type=period_type, start=dt.date.fromisoformat(start)
    ).pk


def summaries_regenerate(client_id: int, date_from: str, date_to: str | None = None) -> int:
    """Regenerate the client's stored summaries that depend on [date_from, date_to] (a scheduled
    report waiting for this data sees it complete on its next run). Summaries of periods
    retention has archived are left as they are: their days are no longer in the database.
    Returns the number regenerated."""
    client = Client.objects.get(pk=client_id)
    oldest_kept = cutoffs(timezone.localdate()).daily_metrics
    touched = summaries_touching(
        client_id=client_id,
        date_from=dt.date.fromisoformat(date_from),
        date_to=dt.date.fromisoformat(date_to) if date_to else None,
    ).filter(previous_start__gte=oldest_kept)
    periods = list(touched.order_by("start").values_list("period_type", "start"))
    for period_type, start in periods:
        summary_generate(client=client, period_type=period_type, start=start)
    return len(periods)


def summaries_catch_up(batch: int = 200) -> int:
    """Regenerate the stored summaries that depend on days whose rollups changed
    (``metrics.RollupChange``), one client at a time, deleting the changes it has handled.
    Several workers may run this at once: each takes the clients whose changes nobody else holds.
    Returns the number of summaries regenerated."""
    regenerated = 0
    while True:
        with transaction.atomic():
            first = RollupChange.objects.select_for_update(skip_locked=True).order_by("pk").first()
            if first is None:
                return regenerated
            changes = list(
                RollupChange.objects.select_for_update(skip_locked=True)
                .filter(client_id=first.client_id)
                .order_by("pk")[:batch]
            )
            date_to = (
                None
                if any(change.date_to is None for change in changes)
                else max(change.date_to for change in changes if change.date_to is not None)
            )
            regenerated += summaries_regenerate(
                first.client_id,
                min(change.date_from for change in changes).isoformat(),
                date_to.isoformat() if date_to else None,
            )
            RollupChange.objects.filter(pk__in=[change.pk for change in changes]).delete()
