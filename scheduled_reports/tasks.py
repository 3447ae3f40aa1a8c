"""Queued work of scheduled reports (django-q2): the hourly job fans out one task per active
schedule; each task is safe to run twice (a period's delivery row is unique)."""

from __future__ import annotations

from clients.models import ClientStatus
from ingestion.tasks import queue
from scheduled_reports.models import ReportSchedule
from scheduled_reports.sending import schedule_send_latest


def scheduled_reports_send() -> int:
    """Queue a send check of every active schedule of an active client; returns how many."""
    schedule_ids = list(
        ReportSchedule.objects.filter(is_active=True, client__status=ClientStatus.ACTIVE)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for schedule_id in schedule_ids:
        queue("scheduled_reports.tasks.schedule_send", schedule_id)
    return len(schedule_ids)


def schedule_send(schedule_id: int) -> bool:
    """Send the schedule's latest period if it is due and complete; whether it went out."""
    schedule = ReportSchedule.objects.select_related("client").filter(pk=schedule_id).first()
    if schedule is None:
        return False  # deleted since it was queued
    return schedule_send_latest(schedule=schedule)
