"""Writes of the reports app: stored summaries. (Reports sent by email are scheduled_reports'.)"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from clients.models import Client
from metrics.models import PeriodClosure
from metrics.periods import Granularity
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
from reports.models import PeriodType, Summary
from reports.selectors import report_figures
from reports.sent import sent_snapshot

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
        "previous_start": figures.compared_with.start,
        "previous_end": figures.compared_with.end,
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


def summary_record_sent(summary: Summary) -> Summary:
    """Record that ``summary`` went out to the client: the first time, its figures as sent are
    kept and its period is closed (``metrics.PeriodClosure``), so later changes to it are
    restatements. Later sends change nothing."""
    with transaction.atomic():
        locked = Summary.objects.select_for_update().get(pk=summary.pk)
        if locked.sent_at is None:
            locked.sent_at = timezone.now()
            locked.sent_figures = sent_snapshot(locked)
            locked.save(update_fields=["sent_at", "sent_figures", "updated_at"])
            PeriodClosure.objects.get_or_create(
                client_id=locked.client_id,
                period_type=locked.period_type,
                start=locked.start,
                defaults={"closed_at": locked.sent_at},
            )
    summary.sent_at, summary.sent_figures = locked.sent_at, locked.sent_figures
    return summary
