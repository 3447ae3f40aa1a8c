"""Queued work of the reports app (django-q2). Tasks take ids and ISO dates, are safe to run
twice, and fan out one task per client so several cluster processes share the work."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from clients.models import Client, ClientStatus
from ingestion.tasks import queue
from metrics.periods import ONE_DAY, Granularity, period_start
from operations import retention
from reports.models import PeriodType
from reports.selectors import summaries_touching
from reports.services import summary_generate, weekly_summary_emails_send


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
    """Fan out the summary (and emails) of the Monday-Sunday week that contains ``day``, one
    task per active client. Returns the number of clients."""
    start = period_start(_day(day), Granularity.WEEK)
    client_ids = _active_client_ids()
    for client_id in client_ids:
        queue("reports.tasks.weekly_summary_client", client_id, start.isoformat())
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


def weekly_summary_client(client_id: int, start: str) -> int:
    """Generate one client's weekly summary and email it if its data is complete; returns the
    number of messages sent."""
    client = Client.objects.get(pk=client_id)
    summary = summary_generate(
        client=client, period_type=PeriodType.WEEK, start=dt.date.fromisoformat(start)
    )
    return weekly_summary_emails_send(summary=summary)


def summaries_regenerate(client_id: int, date_from: str, date_to: str | None = None) -> int:
    """Regenerate the client's stored summaries that depend on [date_from, date_to], then send
    the weekly emails that were waiting for this data. Summaries of periods retention has
    archived are left as they are: their days are no longer in the database. Returns the
    number regenerated."""
    client = Client.objects.get(pk=client_id)
    oldest_kept = retention.cutoffs(timezone.localdate()).daily_metrics
    touched = summaries_touching(
        client_id=client_id,
        date_from=dt.date.fromisoformat(date_from),
        date_to=dt.date.fromisoformat(date_to) if date_to else None,
    ).filter(previous_start__gte=oldest_kept)
    periods = list(touched.order_by("start").values_list("period_type", "start"))
    for period_type, start in periods:
        summary = summary_generate(client=client, period_type=period_type, start=start)
        weekly_summary_emails_send(summary=summary)
    return len(periods)


# --- Retention -------------------------------------------------------------------------------


def retention_run(day: str | None = None) -> int:
    """Purge what is past its age, then fan out the archiving of old daily metrics, one task per
    client that has some. Returns the number of clients queued."""
    target = _day(day)
    retention.purge_expired(day=target)
    client_ids = retention.clients_with_expired_metrics(day=target)
    for client_id in client_ids:
        queue("reports.tasks.retention_archive_client", client_id, target.isoformat())
    return len(client_ids)


def retention_archive_client(client_id: int, day: str) -> int:
    """Archive one client's expired months; returns the number of months archived."""
    return len(retention.archive_client(client_id=client_id, day=dt.date.fromisoformat(day)))


# --- Housekeeping ----------------------------------------------------------------------------


def flush_expired_tokens() -> None:
    """Delete expired JWT refresh tokens (simplejwt's blacklist app)."""
    call_command("flushexpiredtokens")
