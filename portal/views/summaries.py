"""Weekly and monthly summaries: the stored figures of each Monday-Sunday week and calendar
month (``reports.services.summary_generate`` writes them on schedule), read back through
``reports.selectors``: deltas against the period before, top performers, underperformers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.generic import TemplateView, View

from clients.models import Client
from clients.scoping import get_scoped_or_404, visible_clients
from metrics.comparison import range_text
from metrics.formatting import change_text, measure_in
from metrics.formulas import BASE_MEASURES, Totals, changes
from metrics.periods import DateRange
from portal.annotated import page_markers
from portal.trend import trend
from portal.views.base import ReportPageMixin, requested_client_id
from portal.views.dashboard import kpi_cards
from reports.figures import ReportFigures, totals_from_json
from reports.models import PeriodType, Summary
from reports.pdf import report_pdf_name
from reports.selectors import summaries_of
from reports.sent import as_sent_rows, sent_summary, summary_pdf, summary_restatements

SUMMARIES_PER_PAGE = 20
PERIOD_NOUNS = {PeriodType.WEEK.value: "week", PeriodType.MONTH.value: "month"}
# The measures the list of summaries shows, with their change against the period before.
LISTED_MEASURES = ("impressions", "clicks", "conversions", "conversion_revenue", "spend", "roas")


def summary_totals(summary: Summary) -> tuple[Totals, Totals]:
    """A stored summary's totals and its previous period's, from its columns and JSON only."""
    current = Totals(**{measure: getattr(summary, measure) for measure in BASE_MEASURES})
    return current, totals_from_json(summary.previous)


def summary_row(summary: Summary) -> dict[str, Any]:
    current, previous = summary_totals(summary)
    values, moved = current.as_dict(), changes(current, previous)
    return {
        "summary": summary,
        "cells": [
            {
                "value": measure_in(measure, values),
                "change": change_text(measure, change)
                if previous.impressions and (change := moved[measure]) is not None
                else None,
            }
            for measure in LISTED_MEASURES
        ],
    }


class SummaryListView(ReportPageMixin, TemplateView):
    """The stored summaries of one kind, newest first; admins see every client or pick one."""

    template_name = "portal/summaries.html"
    period_type: str = PeriodType.WEEK

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        page = Paginator(
            summaries_of(clients=self.clients, period_type=self.period_type), SUMMARIES_PER_PAGE
        ).get_page(self.request.GET.get("page"))
        client_id = requested_client_id(self.request)
        keep = {"client_id": client_id} if client_id else {}
        context.update(
            nav="summaries",
            period_type=self.period_type,
            period_label=PeriodType(self.period_type).label,
            client=self.shown_client(),
            client_choices=list(visible_clients(self.user).values_list("pk", "name"))
            if self.user.is_admin
            else [],
            selected_client_id=client_id,
            keep_query=f"?{urlencode(keep)}" if keep else "",
            page=page,
            rows=[summary_row(summary) for summary in page.object_list],
            columns=LISTED_MEASURES,
            previous_query=f"?{urlencode({**keep, 'page': page.previous_page_number()})}"
            if page.has_previous()
            else None,
            next_query=f"?{urlencode({**keep, 'page': page.next_page_number()})}"
            if page.has_next()
            else None,
        )
        return context


class SummaryMixin(ReportPageMixin):
    def summary(self) -> Summary:
        return get_scoped_or_404(
            Summary.objects.filter(client__in=self.clients).select_related("client"),
            self.user,
            "client",
            pk=self.kwargs["pk"],  # type: ignore[attr-defined]
        )


class SummaryDetailView(SummaryMixin, TemplateView):
    """One stored summary: the figures against the period before, the days, the top lists; what
    was restated since it closed, and the figures as sent beside the current ones."""

    template_name = "portal/summary_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        summary = self.summary()
        sent = sent_summary(summary)
        figures = summary.figures()
        context.update(
            nav="summaries",
            summary=summary,
            client=summary.client,
            figures=figures,
            date_range=figures.date_range,
            previous_range=figures.previous_range,
            kpis=summary_cards(figures),
            compare_note=summary_note(figures, PERIOD_NOUNS[summary.period_type]),
            trend=trend(
                list(figures.daily),
                markers=page_markers(
                    user=self.user,
                    clients=Client.objects.filter(pk=summary.client_id),
                    date_range=figures.date_range,
                ),
                comparison_days=list(figures.comparison.daily) if figures.comparison else None,
                comparison_label=range_text(figures.compared_with),
            ),
            incomplete_sources=[source for source in figures.completeness if not source.complete],
            restatement_lines=summary_restatements(summary),
            sent=sent,
            as_sent=as_sent_rows(summary, sent),
            summary_pdf_url=reverse("summary_pdf", args=[summary.pk]),
            thresholds={
                "max_ctr": settings.SUMMARY_UNDERPERFORMER_MAX_CTR,
                "min_spend": settings.SUMMARY_UNDERPERFORMER_MIN_SPEND,
                "max_conversions": settings.SUMMARY_UNDERPERFORMER_MAX_CONVERSIONS,
            },
        )
        return context


def summary_cards(figures: ReportFigures) -> list[dict[str, Any]]:
    """The summary's cards: like for like when the summary stored its comparison."""
    compared = figures.comparison
    if compared is None:
        return kpi_cards(figures.current, figures.previous)
    if not compared.comparable:
        return kpi_cards(figures.current, None, not_comparable=figures.not_comparable)
    return kpi_cards(
        compared.current,
        compared.previous,
        shown=figures.current,
        compared_text=f"vs {range_text(figures.compared_with)}",
    )


def summary_note(figures: ReportFigures, period_noun: str) -> str:
    dates = range_text(figures.compared_with, with_year=True)
    if figures.not_comparable:
        return f"Not comparable with {dates}, the {period_noun} before: " + (
            figures.not_comparable.removeprefix("not comparable: ") + "."
        )
    note = f"Change vs {dates}, the {period_noun} before"
    if figures.comparison is None:
        return note + "."
    note += ", day by day where both days have data."
    if figures.left_out_text:
        note += f" Leaves out {figures.left_out_text}."
    return note


class SummaryPdfView(SummaryMixin, View):
    """The PDF of a stored summary, as it is now or (``?as=sent``) as it was sent, with the
    restatements of its period."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        summary = self.summary()
        as_sent = request.GET.get("as") == "sent"
        shown = sent_summary(summary) if as_sent else summary
        if shown is None:
            raise Http404("This summary was not sent.")
        pdf = summary_pdf(summary, shown, as_sent=as_sent)
        response = HttpResponse(pdf, content_type="application/pdf")
        name = report_pdf_name(summary.client.slug, DateRange(summary.start, summary.end))
        if as_sent:
            name = name.replace(".pdf", "-as-sent.pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
