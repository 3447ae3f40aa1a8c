"""Writes of the reports app: stored summaries and the weekly summary emails."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from clients.models import Client
from core.validators import single_line
from metrics.periods import Granularity
from pacing.panel import pacing_panel
from reports.figures import (
    ReportFigures,
    changes_json,
    comparison_json,
    completeness_json,
    daily_json,
    ranked_json,
    summary_ranges,
    totals_json,
)
from reports.models import PeriodType, Summary, SummaryEmail
from reports.pdf import TEMPLATE as PDF_TEMPLATE
from reports.pdf import render_pdf, report_context, report_pdf_name
from reports.selectors import report_figures, weekly_email_recipients

logger = logging.getLogger(__name__)

_GRANULARITY = {PeriodType.WEEK: Granularity.WEEK, PeriodType.MONTH: Granularity.MONTH}


def summary_generate(*, client: Client, period_type: str, start: dt.date) -> Summary:
    """(Re)compute the client's summary of the week or month that begins on ``start`` and store
    it, replacing any earlier version: one upsert, so running it twice (or twice at once) leaves
    one row with the latest figures."""
    period = PeriodType(period_type)
    current, previous = summary_ranges(_GRANULARITY[period], start)
    figures = report_figures(
        clients=Client.objects.filter(pk=client.pk), date_range=current, previous_range=previous
    )
    fields = _summary_fields(figures)
    Summary.objects.bulk_create(
        [Summary(client=client, period_type=period, start=start, **fields)],
        update_conflicts=True,
        unique_fields=["client", "period_type", "start"],
        update_fields=list(fields),
    )
    logger.info(
        "summary %s %s %s generated (complete: %s)", client.slug, period, start, figures.is_complete
    )
    return Summary.objects.get(client=client, period_type=period, start=start)


def _summary_fields(figures: ReportFigures) -> dict[str, object]:
    now = timezone.now()
    return {
        "end": figures.date_range.end,
        "previous_start": figures.previous_range.start,
        "previous_end": figures.previous_range.end,
        **figures.current.as_dict(),
        "click_clicks": figures.current.click_clicks,
        "click_impressions": figures.current.click_impressions,
        "click_spend": figures.current.click_spend,
        "previous": totals_json(figures.previous),
        "changes": changes_json(figures),
        "comparison": comparison_json(figures.comparison),
        "daily": daily_json(figures.daily),
        "top_campaigns_by_conversions": ranked_json(figures.top_campaigns_by_conversions),
        "top_campaigns_by_revenue": ranked_json(figures.top_campaigns_by_revenue),
        "top_creatives": ranked_json(figures.top_creatives),
        "underperformers": ranked_json(figures.underperformers),
        "underperformer_count": figures.underperformer_count,
        "completeness": completeness_json(figures.completeness),
        "is_complete": figures.is_complete,
        "generated_at": now,
        "updated_at": now,
    }


def weekly_summary_emails_send(*, summary: Summary, today: dt.date | None = None) -> int:
    """Email the week's summary, PDF attached, to each of the client's users who opted in.

    Sent only once every source's data for the week is complete: the Monday run happens before
    Sunday's files are in, so it usually waits, and the regeneration that late data triggers
    calls this again and sends. A week that ended more than ``WEEKLY_EMAIL_MAX_DELAY_DAYS`` ago is
    never sent (its figures are stale news). One message per user; each is recorded before it
    goes out, so a second run sends nothing twice. Returns the number of messages sent.
    """
    today = today or timezone.localdate()
    if summary.period_type != PeriodType.WEEK or not summary.is_complete:
        return 0
    if (today - summary.end).days > settings.WEEKLY_EMAIL_MAX_DELAY_DAYS:
        return 0
    recipients = list(
        weekly_email_recipients(client=summary.client).exclude(summary_emails__summary=summary)
    )
    if not recipients:
        return 0
    figures = summary.figures()
    title = "Weekly performance summary"
    report = report_context(figures, summary.client.name, title)
    report["pacing_rows"] = pacing_panel(
        clients=Client.objects.filter(pk=summary.client_id),
        start=figures.date_range.start,
        end=figures.date_range.end,
    )
    pdf = render_pdf(render_to_string(PDF_TEMPLATE, report))
    context = {**report, "client": summary.client, "site_url": settings.SITE_URL}
    subject = single_line(
        f"{summary.client.name}: weekly summary {figures.date_range.start:%b} "
        f"{figures.date_range.start.day} - {figures.date_range.end:%b} {figures.date_range.end.day}"
    )
    text = render_to_string("reports/email/weekly_summary.txt", context)
    html = render_to_string("reports/email/weekly_summary.html", context)
    attachment_name = report_pdf_name(summary.client.slug, figures.date_range)
    sent = 0
    with get_connection() as connection:
        for user in recipients:
            try:
                with transaction.atomic():
                    SummaryEmail.objects.create(summary=summary, user=user, email=user.email)
                    message = EmailMultiAlternatives(
                        subject=subject,
                        body=text,
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[user.email],
                        connection=connection,
                    )
                    message.attach_alternative(html, "text/html")
                    message.attach(attachment_name, pdf, "application/pdf")
                    # Inside the transaction: a message that cannot be sent leaves no record,
                    # so the next run tries that user again.
                    message.send()
            except IntegrityError:
                continue  # another run sent this user's message already
            except Exception:
                logger.exception(
                    "could not send the weekly summary %s to user %s", summary.pk, user.pk
                )
                continue
            sent += 1
    logger.info("weekly summary %s emailed to %s users", summary.pk, sent)
    return sent
