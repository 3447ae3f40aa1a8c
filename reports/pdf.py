"""PDF reports: a Django template rendered by xhtml2pdf, with the trend chart drawn as vector SVG.

Security: the document is built from our template, and every client-controlled text in it
(client, campaign and creative names) is escaped by the template engine. Even so, the renderer is
given nothing it may fetch: the resource policy refuses every local read and every network
request, and the link callback turns any URL other than an inline ``data:`` URI into an empty one.
The chart and the styles are inline, so the report needs no file at all.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from collections.abc import Sequence
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from xhtml2pdf import pisa
from xhtml2pdf.config.resources import ResourceAccessPolicy

from core.chart_markers import ChartMarker
from ingestion.availability import (
    REASON_FILE_NOT_DELIVERED,
    REASON_INGESTION_FAILED,
    REASON_NOT_YET_PULLED,
    reason_label,
)
from metrics.comparison import range_text
from metrics.formatting import NOT_APPLICABLE, change_text, day_spans
from metrics.formulas import to_display
from metrics.periods import DateRange
from reports.charts import DEFAULT_CHART, gap_days, trend_chart_svg
from reports.figures import ReportFigures, SourceCompleteness

logger = logging.getLogger(__name__)

TEMPLATE = "reports/report_pdf.html"
# No local directory, no network: data: URIs (the chart) are the only resources a report has.
RESOURCE_POLICY = ResourceAccessPolicy.server(base_dir=None, allow_remote=False)
EMPTY_URI = "data:,"


class PdfRenderError(RuntimeError):
    """xhtml2pdf reported errors while building the document."""


def refuse_links(uri: str, relative: str | None) -> str:
    """xhtml2pdf's link callback: only inline ``data:`` URIs are kept."""
    if str(uri).startswith("data:"):
        return str(uri)
    logger.warning("PDF renderer refused to fetch %r", str(uri)[:120])
    return EMPTY_URI


def render_pdf(html: str) -> bytes:
    """``html`` as PDF bytes, with nothing fetched from anywhere."""
    buffer = BytesIO()
    result = pisa.CreatePDF(
        html,
        dest=buffer,
        link_callback=refuse_links,
        resource_policy=RESOURCE_POLICY,
        encoding="utf-8",
    )
    if result.err:
        raise PdfRenderError(f"the PDF could not be built ({result.err} errors)")
    return buffer.getvalue()


def report_pdf(
    *,
    figures: ReportFigures,
    client_name: str,
    title: str,
    source_label: str = "",
    chart: tuple[str, ...] = DEFAULT_CHART,
    pacing_rows: Sequence[Any] = (),
    annotations: Sequence[ChartMarker] = (),
) -> bytes:
    """The report a client would forward: KPIs against the previous period, the daily trend
    (with ``annotations`` as numbered markers, their texts listed under it), pacing against
    insertion orders (``pacing.panel`` rows), top campaigns and creatives, underperformers and
    what data is still missing."""
    report = report_context(
        figures, client_name, title, source_label, chart=chart, annotations=annotations
    )
    report["pacing_rows"] = pacing_rows
    return render_pdf(render_to_string(TEMPLATE, report))


def report_pdf_name(slug: str, date_range: DateRange) -> str:
    return f"report-{slug}-{date_range.start.isoformat()}-{date_range.end.isoformat()}.pdf"


# The parts of the report, all shown unless a caller (a scheduled report) picks some:
# headline and key figures with the trend; pacing; top campaigns; top creatives and
# underperformers; restatements (shown only when the caller passes ``restatements``).
REPORT_SECTIONS = ("kpis", "pacing", "campaigns", "creatives", "restatements")

# Label, measure, kind: how each KPI row of the report is written.
KPI_ROWS = (
    ("Impressions", "impressions", "count"),
    ("Clicks", "clicks", "count"),
    ("CTR", "ctr", "percent"),
    ("Conversions", "conversions", "count"),
    ("Revenue", "conversion_revenue", "money"),
    ("Spend", "spend", "money"),
    ("CPC", "cpc", "money"),
    ("CPA", "cpa", "money"),
    ("ROAS", "roas", "percent"),
)
# The four figures shown large at the top of the report.
HEADLINE = ("Impressions", "Conversions", "Spend", "ROAS")
# Costs going up is bad news; every other measure going up is good news.
LOWER_IS_BETTER = frozenset({"cpc", "cpa"})
NEUTRAL = frozenset({"spend"})


def report_context(
    figures: ReportFigures,
    client_name: str,
    title: str,
    source_label: str = "",
    *,
    chart: tuple[str, ...] = DEFAULT_CHART,
    annotations: Sequence[ChartMarker] = (),
) -> dict[str, Any]:
    daily = list(figures.daily)
    compared_range = figures.previous_range
    compared_dates = range_text(compared_range, with_year=True) if compared_range else ""
    svg = trend_chart_svg(
        daily,
        width=620,
        height=240,
        measures=chart,
        gaps=gap_days(daily, _reasons(figures)),
        markers=annotations,
        interactive=False,
        comparison=figures.comparison.daily if figures.comparison else (),
        comparison_label=range_text(compared_range) if compared_range else "",
    )
    moved = figures.changes
    not_comparable = figures.not_comparable
    current, previous = figures.current.as_dict(), figures.previous.as_dict()
    kpis = []
    for label, measure, kind in KPI_ROWS:
        change = moved.get(measure)
        kpis.append(
            {
                "label": label,
                "current": _format(current[measure], kind),
                "previous": _format(previous[measure], kind),
                # The page's one rule (metrics.formatting.change_text): 2 places.
                "change": change_text(measure, change).text
                if change is not None
                else "not comparable"
                if not_comparable
                else ""
                if compared_range is None
                else NOT_APPLICABLE,
                "tone": _tone(measure, change.absolute) if change is not None else "flat",
            }
        )
    show_client = len({row.client for row in figures.top_campaigns_by_conversions}) > 1
    return {
        "title": title,
        "sections": REPORT_SECTIONS,
        "client_name": client_name,
        "source_label": source_label,
        "figures": figures,
        "period": _range_label(figures.date_range),
        "previous_period": _range_label(compared_range) if compared_range else "",
        "compared_dates": compared_dates,
        "compared": compared_range is not None,
        "comparable": compared_range is not None and not not_comparable,
        "not_comparable": not_comparable.removeprefix("not comparable: "),
        "left_out": figures.left_out_text,
        "kpis": kpis,
        "headline": [kpi for kpi in kpis if kpi["label"] in HEADLINE],
        "chart_uri": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
        "annotations": annotations,
        "show_client": show_client,
        "generated_at": timezone.localtime(),
        "incomplete_sources": [
            {
                "label": source.label,
                "days": source.days,
                "days_with_data": source.days_with_data,
                "missing": _missing_spans(source),
            }
            for source in figures.completeness
            if not source.complete
        ],
        "thresholds": {
            "max_ctr": settings.SUMMARY_UNDERPERFORMER_MAX_CTR,
            "min_spend": settings.SUMMARY_UNDERPERFORMER_MIN_SPEND,
            "max_conversions": settings.SUMMARY_UNDERPERFORMER_MAX_CONVERSIONS,
        },
    }


# When sources disagree about a day, the reason the page shows first.
_REASON_ORDER = (REASON_FILE_NOT_DELIVERED, REASON_INGESTION_FAILED, REASON_NOT_YET_PULLED)


def _reasons(figures: ReportFigures) -> dict[dt.date, str]:
    """Why each day some source has no data, as the page weighs it."""
    reasons: dict[dt.date, str] = {}
    for source in figures.completeness:
        for missing in source.missing:
            known = reasons.get(missing.day)
            if known is None or _REASON_ORDER.index(missing.reason) < _REASON_ORDER.index(known):
                reasons[missing.day] = missing.reason
    return reasons


def _missing_spans(source: SourceCompleteness) -> list[str]:
    """The source's missing days as the page writes them: per reason, consecutive days as one
    span ("Not yet pulled: Nov 23\u201328")."""
    by_reason: dict[str, list[dt.date]] = {}
    for missing in source.missing:
        by_reason.setdefault(missing.reason, []).append(missing.day)
    return [
        f"{reason_label(reason, source.source)}: {', '.join(day_spans(days))}"
        for reason, days in by_reason.items()
    ]


def _range_label(date_range: DateRange) -> str:
    start, end = date_range.start, date_range.end
    if start == end:
        return f"{end:%B} {end.day}, {end.year}"
    if start.year != end.year:
        return f"{start:%B} {start.day}, {start.year} - {end:%B} {end.day}, {end.year}"
    if start.month != end.month:
        return f"{start:%B} {start.day} - {end:%B} {end.day}, {end.year}"
    return f"{start:%B} {start.day} - {end.day}, {end.year}"


def _format(value: int | Decimal | None, kind: str) -> str:
    if value is None:
        return NOT_APPLICABLE  # a click rate where no source reports clicks
    if kind == "count":
        return f"{value:,}"
    shown = to_display(Decimal(value))
    if kind == "percent":
        return f"{shown:,.2f}%"
    return f"${shown:,.2f}"


def _tone(measure: str, absolute: int | Decimal) -> str:
    if measure in NEUTRAL or not absolute:
        return "flat"
    rising = absolute > 0
    good = not rising if measure in LOWER_IS_BETTER else rising
    return "up" if good else "down"
