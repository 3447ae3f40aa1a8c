"""Sending scheduled reports: each schedule's latest period, once its data is complete, never twice.

The rule is the one the weekly email had (``reports.Summary.is_complete``): the stored summary of
the period says, per source, whether every day is in. While one is missing, the schedule records
what it waits for ("Waiting for Facebook data for Nov 3\u20139") and the next run looks again; the
summary is regenerated when late data lands (``reports.tasks.summaries_catch_up``). A period that
ended more than ``SCHEDULED_REPORT_MAX_DELAY_DAYS`` ago is not sent any more: stale news.

Never twice: the ``ReportDelivery`` row is inserted before the message goes out, in the same
transaction; a second run (or a second process) hits its unique constraint and sends nothing, and
a message that cannot be sent rolls the row back so the next run tries again.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clients.models import Client, ClientStatus
from core.validators import single_line
from metrics.formatting import day_spans
from metrics.models import Restatement
from metrics.periods import ONE_DAY, DateRange, Granularity, period_start
from metrics.selectors.restatements import restatement_notes
from pacing.panel import PanelRow, pacing_panel
from reports.figures import (
    ReportFigures,
    changes_json,
    completeness_json,
    ranked_json,
    summary_ranges,
    totals_json,
)
from reports.models import PeriodType, Summary
from reports.pdf import TEMPLATE as PDF_TEMPLATE
from reports.pdf import render_pdf, report_context, report_pdf_name
from reports.services import summary_generate, summary_record_sent
from scheduled_reports.models import ReportDelivery, ReportSchedule, Section

logger = logging.getLogger(__name__)

GRANULARITY = {PeriodType.WEEK: Granularity.WEEK, PeriodType.MONTH: Granularity.MONTH}
TITLES = {
    PeriodType.WEEK: "Weekly performance report",
    PeriodType.MONTH: "Monthly performance report",
}


def latest_period(frequency: str, today: dt.date) -> DateRange:
    """The last whole week (Monday-Sunday) or calendar month that ended before ``today``."""
    granularity = GRANULARITY[PeriodType(frequency)]
    current_start = period_start(today, granularity)
    start = period_start(current_start - ONE_DAY, granularity)
    return summary_ranges(granularity, start)[0]


def period_label(period: DateRange) -> str:
    """ "Nov 3\u20139", "Oct 27\u2013Nov 2", "Nov 1\u201330": a period as the messages write it."""
    return day_spans(list(period.each_day()))[0]


def waiting_text(summary: Summary) -> str:
    """What the summary of a period still lacks, per source: "Waiting for Facebook data for
    Nov 3\u20139; Surfside data for Nov 8"."""
    figures = summary.figures()
    parts = [
        f"{source.label} data for "
        + ", ".join(day_spans([missing.day for missing in source.missing]))
        for source in figures.completeness
        if not source.complete
    ]
    return "Waiting for " + "; ".join(parts) if parts else ""


def schedule_send_latest(*, schedule: ReportSchedule, today: dt.date | None = None) -> bool:
    """Send the schedule's latest period if it is due, complete and not sent yet; record what it
    waits for otherwise. Safe to run any number of times. Returns whether a report went out."""
    today = today or timezone.localdate()
    if not schedule.is_active or schedule.client.status != ClientStatus.ACTIVE:
        return False
    period = latest_period(schedule.frequency, today)
    if period.end < schedule.starts_on:
        return _note(schedule, f"The first report covers {period_label(_first(schedule))}")
    if ReportDelivery.objects.filter(schedule=schedule, period_start=period.start).exists():
        return _note(schedule, "")
    late = (today - period.end).days
    summary = Summary.objects.filter(
        client=schedule.client, period_type=schedule.frequency, start=period.start
    ).first() or summary_generate(
        client=schedule.client, period_type=schedule.frequency, start=period.start
    )
    if not summary.is_complete:
        waiting = waiting_text(summary)
        if late > settings.SCHEDULED_REPORT_MAX_DELAY_DAYS:
            waiting = f"Not sent: the data for {period_label(period)} was still incomplete"
        return _note(schedule, waiting)
    if late > settings.SCHEDULED_REPORT_MAX_DELAY_DAYS:
        return _note(schedule, f"Not sent: {period_label(period)} ended {late} days ago")
    recipients = recipient_emails(schedule)
    if not recipients:
        return _note(schedule, "Not sent: no recipient has an active account and an address")
    sent = _send(schedule=schedule, summary=summary, recipients=recipients)
    if sent:
        _note(schedule, "")
    return sent


def _first(schedule: ReportSchedule) -> DateRange:
    granularity = GRANULARITY[PeriodType(schedule.frequency)]
    return summary_ranges(granularity, period_start(schedule.starts_on, granularity))[0]


def _note(schedule: ReportSchedule, waiting_for: str) -> bool:
    if schedule.waiting_for != waiting_for:
        schedule.waiting_for = waiting_for[:500]
        ReportSchedule.objects.filter(pk=schedule.pk).update(waiting_for=schedule.waiting_for)
    return False


def recipient_emails(schedule: ReportSchedule) -> list[str]:
    """The chosen users who can still receive it (active, with an address), then the outside
    addresses, without repeats."""
    users = schedule.recipients.filter(is_active=True, client_id=schedule.client_id).exclude(
        email=""
    )
    emails: list[str] = []
    for address in [
        *users.order_by("email").values_list("email", flat=True),
        *schedule.outside_emails,
    ]:
        if address.lower() not in {known.lower() for known in emails}:
            emails.append(address)
    return emails


def dashboard_link(period: DateRange) -> str:
    """The dashboard of the period, as an absolute address (``SITE_URL``)."""
    query = urlencode({"start_date": period.start.isoformat(), "end_date": period.end.isoformat()})
    return f"{settings.SITE_URL}{reverse('dashboard')}?{query}"


# --- Restatements -------------------------------------------------------------------------------


def restatement_lines(*, client: Client, period: DateRange) -> list[str]:
    """The "Restatements" section: every change to the client's closed weeks and months recorded
    since the report's period began (what moved since the client last heard), one line each,
    naming the period it restated."""
    since = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    recorded = Restatement.objects.filter(client=client, at__gte=since).select_related("client")
    return [note.text for note in restatement_notes(recorded)]


# --- The message --------------------------------------------------------------------------------


def report_document(
    *, schedule: ReportSchedule, figures: ReportFigures
) -> tuple[dict[str, Any], list[PanelRow], list[str] | None]:
    """The report's template context with only the schedule's sections."""
    client = schedule.client
    report = report_context(figures, client.name, TITLES[PeriodType(schedule.frequency)])
    pacing_rows = (
        pacing_panel(
            clients=Client.objects.filter(pk=client.pk),
            start=figures.date_range.start,
            end=figures.date_range.end,
        )
        if Section.PACING in schedule.sections
        else []
    )
    restatements = (
        restatement_lines(client=client, period=figures.date_range)
        if Section.RESTATEMENTS in schedule.sections
        else None
    )
    report.update(
        sections=list(schedule.sections),
        pacing_rows=pacing_rows,
        restatements=restatements,
        schedule=schedule,
        client=client,
        dashboard_url=dashboard_link(figures.date_range),
        period_short=period_label(figures.date_range),
    )
    return report, pacing_rows, restatements


def figures_as_sent(
    *,
    schedule: ReportSchedule,
    summary: Summary,
    figures: ReportFigures,
    pacing_rows: list[PanelRow],
    restatements: list[str] | None,
) -> dict[str, Any]:
    """What the report said, as JSON: only the chosen sections, only client-visible fields."""
    sections = schedule.sections
    sent: dict[str, Any] = {
        "summary_id": summary.pk,
        "period": {
            "start": figures.date_range.start.isoformat(),
            "end": figures.date_range.end.isoformat(),
        },
        "previous_period": {
            "start": figures.compared_with.start.isoformat(),
            "end": figures.compared_with.end.isoformat(),
        },
        "sections": list(sections),
        "completeness": completeness_json(figures.completeness),
    }
    if Section.KPIS in sections:
        sent.update(
            totals=totals_json(figures.current),
            previous=totals_json(figures.previous),
            changes=changes_json(figures),
        )
    if Section.PACING in sections:
        sent["pacing"] = [
            {
                "order": row.pacing.order.name,
                "measure": row.measure,
                "contracted": str(row.contracted),
                "delivered": str(row.delivered),
                "expected": str(row.expected),
                "projected": str(row.projected),
                "status": row.pacing.status,
            }
            for row in pacing_rows
        ]
    if Section.CAMPAIGNS in sections:
        sent["top_campaigns_by_conversions"] = ranked_json(figures.top_campaigns_by_conversions)
        sent["top_campaigns_by_revenue"] = ranked_json(figures.top_campaigns_by_revenue)
    if Section.CREATIVES in sections:
        sent["top_creatives"] = ranked_json(figures.top_creatives)
        sent["underperformers"] = ranked_json(figures.underperformers)
    if Section.RESTATEMENTS in sections and restatements is not None:
        sent["restatements"] = restatements
    return sent


def _send(*, schedule: ReportSchedule, summary: Summary, recipients: list[str]) -> bool:
    figures = summary.figures()
    report, pacing_rows, restatements = report_document(schedule=schedule, figures=figures)
    pdf = render_pdf(render_to_string(PDF_TEMPLATE, report))
    subject = single_line(f"{schedule.client.name}: {schedule.name}, {report['period_short']}")
    pdf_name = report_pdf_name(schedule.client.slug, figures.date_range)
    delivery = ReportDelivery(
        schedule=schedule,
        period_start=figures.date_range.start,
        period_end=figures.date_range.end,
        recipients=recipients,
        subject=subject,
        pdf_name=pdf_name,
        figures=figures_as_sent(
            schedule=schedule,
            summary=summary,
            figures=figures,
            pacing_rows=pacing_rows,
            restatements=restatements,
        ),
    )
    delivery.pdf.save(pdf_name, ContentFile(pdf), save=False)
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("scheduled_reports/email/report.txt", report),
        from_email=settings.DEFAULT_FROM_EMAIL,
        # One message, each recipient hidden from the others (outside addresses included):
        # one send is one delivery, so nobody gets it twice.
        bcc=recipients,
    )
    message.attach_alternative(
        render_to_string("scheduled_reports/email/report.html", report), "text/html"
    )
    message.attach(pdf_name, pdf, "application/pdf")
    try:
        with transaction.atomic():
            delivery.save()  # first: a second run stops here (the period is sent)
            message.send()  # inside: a message that could not go leaves no row
    except IntegrityError:
        delivery.pdf.delete(save=False)
        return False
    except Exception:
        delivery.pdf.delete(save=False)
        logger.exception("could not send scheduled report %s for %s", schedule.pk, summary.start)
        _note(schedule, f"Could not send the report for {report['period_short']}; retrying")
        return False
    summary_record_sent(summary)
    logger.info(
        "scheduled report %s for %s sent to %s addresses",
        schedule.pk,
        summary.start,
        len(recipients),
    )
    return True
