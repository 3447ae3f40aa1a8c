"""What a summary was when it was sent, and what has been restated in it since (SPEC 9).

``summary_record_sent`` (``reports.services``) keeps a snapshot of the stored figures the first
time a summary goes out; ``sent_summary`` turns the snapshot back into an unsaved ``Summary``, so
the PDF and pages can show a sent summary "as sent" as well as "as now".
"""

from __future__ import annotations

from typing import Any

from django.db.models import Field
from django.template.loader import render_to_string

from metrics.formatting import MEASURES_BY_NAME, measure_value
from metrics.models import Restatement
from metrics.selectors.restatements import RestatementNote, restatement_notes
from reports.models import PeriodType, Summary
from reports.pdf import TEMPLATE, render_pdf, report_context

# The stored figures of a summary (everything but its identity and bookkeeping).
SENT_FIELDS = (
    "end",
    "previous_start",
    "previous_end",
    "impressions",
    "clicks",
    "conversions",
    "conversion_revenue",
    "spend",
    "ctr",
    "cpc",
    "click_clicks",
    "click_impressions",
    "click_spend",
    "cpa",
    "roas",
    "previous",
    "changes",
    "daily",
    "top_campaigns_by_conversions",
    "top_campaigns_by_revenue",
    "top_creatives",
    "underperformers",
    "underperformer_count",
    "completeness",
    "is_complete",
    "generated_at",
)
# What "differs" compares: the client-visible totals (the rest follows from them).
COMPARED = ("impressions", "clicks", "conversions", "conversion_revenue", "spend")


def _field(name: str) -> Field[Any, Any]:
    field = Summary._meta.get_field(name)
    assert isinstance(field, Field)
    return field


def sent_snapshot(summary: Summary) -> dict[str, Any]:
    """The summary's figures as JSON (the model field's encoder writes decimals and dates)."""
    return {name: getattr(summary, name) for name in SENT_FIELDS}


def sent_summary(summary: Summary) -> Summary | None:
    """The summary as it was sent (unsaved), or None when it was never sent."""
    if summary.sent_at is None or not summary.sent_figures:
        return None
    values = {
        name: _field(name).to_python(value)
        for name, value in summary.sent_figures.items()
        if name in SENT_FIELDS
    }
    return Summary(
        client=summary.client,
        period_type=summary.period_type,
        start=summary.start,
        sent_at=summary.sent_at,
        **values,
    )


def differs_from_sent(summary: Summary, sent: Summary | None) -> bool:
    return sent is not None and any(
        getattr(summary, name) != getattr(sent, name) for name in COMPARED
    )


def summary_restatements(summary: Summary) -> list[RestatementNote]:
    """The restatements of the summary's own period, newest first."""
    return restatement_notes(
        Restatement.objects.filter(
            client_id=summary.client_id,
            period_type=summary.period_type,
            period_start=summary.start,
        ).select_related("client")
    )


def as_sent_rows(summary: Summary, sent: Summary | None) -> list[dict[str, str | bool]]:
    """Per measure: the figure as sent beside the current one (empty when they agree)."""
    if not differs_from_sent(summary, sent):
        return []
    assert sent is not None
    return [
        {
            "label": MEASURES_BY_NAME[name].label,
            "sent": measure_value(name, getattr(sent, name)),
            "now": measure_value(name, getattr(summary, name)),
            "moved": getattr(sent, name) != getattr(summary, name),
        }
        for name in COMPARED
    ]


def summary_pdf(summary: Summary, shown: Summary, *, as_sent: bool) -> bytes:
    """The PDF of ``summary`` with the figures of ``shown`` (itself, or its sent version), the
    restatements of its period and, when they differ, the figures as sent beside the current."""
    noun = "Weekly" if summary.period_type == PeriodType.WEEK else "Monthly"
    title = f"{noun} performance summary" + (" (as sent)" if as_sent else "")
    report = report_context(shown.figures(), summary.client.name, title)
    sent = sent_summary(summary)
    report["restatement_lines"] = [note.line for note in summary_restatements(summary)]
    report["as_sent_rows"] = as_sent_rows(summary, sent)
    report["sent_at"] = summary.sent_at
    report["as_sent"] = as_sent
    return render_pdf(render_to_string(TEMPLATE, report))
