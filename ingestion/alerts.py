"""Email alerts: one message per run that failed, found no file, or refused rows.

An uploaded file refused for its own format or content (``IngestionRun.refused``) is a user's
mistake, not an incident: its uploader sees why on the upload's page, and no one is alerted."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from core.validators import single_line
from ingestion.models.runs import IngestionRun, RunStatus

logger = logging.getLogger(__name__)

ALERTING_STATUSES = (RunStatus.FAILED, RunStatus.MISSING_FILE, RunStatus.PARTIAL)
_SUBJECTS: dict[str, str] = {
    RunStatus.FAILED: "Ingestion failed",
    RunStatus.MISSING_FILE: "Missing daily file",
    RunStatus.PARTIAL: "Rows refused",
}


def alert_for_run(run: IngestionRun) -> None:
    """Email the alert recipients about ``run`` if it needs a person's attention."""
    if run.status not in ALERTING_STATUSES or run.refused or not settings.ALERT_EMAIL_RECIPIENTS:
        return
    day = run.requested_date or run.date_from
    subject = single_line(
        f"[Dashboard] {_SUBJECTS[run.status]}: {run.client.name} {run.get_source_display()}"
        + (f" {day}" if day else "")
    )
    lines = [
        f"Client: {run.client.name}",
        f"Source: {run.get_source_display()}",
        f"Date: {day or 'n/a'}",
        f"Status: {run.get_status_display()}",
        f"File: {run.file_name or run.file_key or 'n/a'}",
        f"Rows: {run.rows_read} read, {run.rows_loaded} loaded, {run.rows_failed} refused",
        "",
        run.message,
    ]
    if run.warnings:
        lines += ["", "Warnings:", *(f"- {warning}" for warning in run.warnings)]
    link = settings.SITE_URL + reverse("admin:ingestion_ingestionrun_change", args=[run.pk])
    lines += ["", f"Details: {link}"]
    try:
        send_mail(
            subject[:200],
            "\n".join(lines),
            settings.DEFAULT_FROM_EMAIL,
            settings.ALERT_EMAIL_RECIPIENTS,
        )
    except Exception:
        # A broken mail server must not turn a finished run into a failure.
        logger.exception("could not send the alert for ingestion run %s", run.pk)
