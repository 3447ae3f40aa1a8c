"""The dashboard: KPI cards against the previous period, data freshness per source, and the
campaign table that the drill-down starts from."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.generic import TemplateView

from campaigns.models import Source
from clients.models import Client
from ingestion.availability import no_data_reasons
from metrics.comparison import comparison_label, range_text
from metrics.formatting import MEASURES, change_text, is_undefined, measure_in
from metrics.formulas import Totals, changes
from metrics.repricing import repricing_pending
from metrics.selectors.comparison import Comparison, comparison
from metrics.selectors.hierarchy import CAMPAIGNS
from metrics.selectors.measures import rollups_in_range
from metrics.selectors.restatements import restatement_notes, restatements_in_range
from pacing.panel import pacing_panel
from portal.annotated import page_markers
from portal.filters import ReportFilters
from portal.freshness import freshness_strip
from portal.tables import performance_table
from portal.trend import daily_totals, trend
from portal.views.base import ReportPageMixin
from reports.charts import chart_choices, chart_measures, gap_days
from reports.export_sql import Grain


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("dashboard")


EXPORT_FORMATS = (("csv", "CSV"), ("xlsx", "Excel"))


def export_links(filters: ReportFilters, chart: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The export form for the slice on screen: its range, source, client and comparison (the
    PDF's and the Excel key figures' changes) as hidden fields, the grain to pick (CSV and
    Excel), and the PDF with the chart's measures. The session of the page authenticates the
    download."""
    scope = {
        key: value
        for key, value in filters.params().items()
        if key in ("start_date", "end_date", "source", "client_id", "comparison")
    }
    pdf_query = urlencode({**scope, **({"chart": ",".join(chart)} if chart else {})})
    return {
        "scope": list(scope.items()),
        "grains": [(grain.value, grain.label) for grain in Grain],
        "formats": [
            {"format": name, "label": label, "action": f"/api/v1/exports/{name}"}
            for name, label in EXPORT_FORMATS
        ],
        "pdf_url": f"/api/v1/exports/pdf?{pdf_query}",
    }


def kpi_cards(
    current: Totals,
    previous: Totals | None,
    *,
    shown: Totals | None = None,
    compared_text: str = "",
    not_comparable: str = "",
) -> list[dict[str, Any]]:
    """One card per measure: its value and, when there is a previous period, how it moved.

    ``shown`` is the value on the card when the change compares other totals (like for like:
    ``current`` is then the paired days of the comparable sources); ``compared_text`` names the
    dates compared ("vs Oct 1-29"); ``not_comparable`` replaces the change when there is none.
    """
    values = (shown or current).as_dict()
    now = current.as_dict()
    before = previous.as_dict() if previous is not None else None
    moved = changes(current, previous) if previous is not None else {}
    cards = []
    for measure in MEASURES:
        comparable = (
            before is not None
            and moved.get(measure.name) is not None
            and not is_undefined(measure.name, now)
            and not is_undefined(measure.name, before)
        )
        cards.append(
            {
                "measure": measure,
                "value": measure_in(measure.name, values),
                "change": change_text(measure.name, moved_measure)
                if comparable and (moved_measure := moved.get(measure.name)) is not None
                else None,
                "compared": compared_text,
                "not_comparable": not_comparable,
                "not_comparable_reason": not_comparable.removeprefix("not comparable: "),
            }
        )
    return cards


def comparison_cards(compared: Comparison) -> list[dict[str, Any]]:
    """The cards of a like-for-like comparison: the range's totals, the change of the comparable
    sources' paired days, the dates compared, or why there is no change."""
    if not compared.comparable:
        return kpi_cards(compared.total, None, not_comparable=compared.not_comparable_text)
    return kpi_cards(
        compared.current,
        compared.previous,
        shown=compared.total,
        compared_text=compared.compared_text,
    )


def compared_days(
    compared: Comparison, *, clients: QuerySet[Client], source: str | None = None
) -> dict[str, Any]:
    """The trend's comparison: the compared period's days (one query) and its legend label."""
    compared_range = compared.comparison_range
    if compared_range is None:
        return {}
    rows = rollups_in_range(
        clients=clients, start=compared_range.start, end=compared_range.end, source=source
    )
    return {
        "comparison_days": daily_totals(rows, compared_range),
        "comparison_label": range_text(compared_range),
    }


def comparison_note(compared: Comparison) -> str:
    """The line above the cards: what the changes compare with, and what they leave out."""
    label = comparison_label(compared.date_range, compared.mode)
    if compared.comparison_range is None:
        return "No comparison: pick one under Compare with."
    dates = range_text(compared.comparison_range, with_year=True)
    if not compared.comparable:
        reasons = "; ".join(compared.reasons()) or "no data in either period"
        return f"Not comparable with {dates} ({label}): {reasons}."
    note = f"Change vs {dates} ({label}), day by day where both days have data."
    if compared.left_out:
        note += f" {compared.left_out_text}."
    return note


class DashboardView(ReportPageMixin, TemplateView):
    template_name = "portal/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        filters = self.filters
        context.update(self.report_context(filters, whole_scope=True), client=self.shown_client())
        compared = comparison(
            clients=self.clients,
            date_range=filters.date_range,
            mode=filters.comparison,
            source=filters.source,
        )
        table = performance_table(
            CAMPAIGNS,
            clients=self.clients,
            filters=filters,
            ordering=self.request.GET.get("ordering"),
            page_number=self.request.GET.get("page"),
            chart=self.chart_picked,
        )
        days = daily_totals(
            rollups_in_range(
                clients=self.clients,
                start=filters.date_range.start,
                end=filters.date_range.end,
                source=filters.source,
            ),
            filters.date_range,
        )
        chart = chart_measures(",".join(self.request.GET.getlist("chart")))
        strip = freshness_strip(
            clients=self.clients, date_range=filters.date_range, source=filters.source
        )
        context.update(
            kpis=comparison_cards(compared),
            compare_note=comparison_note(compared),
            comparison=compared,
            repricing=repricing_pending(clients=self.clients),
            has_data=table.page.paginator.count > 0,
            source_label=Source(filters.source).label if filters.source else None,
            all_sources_query=filters.query(source=None),
            freshness=[entry for entry in strip if entry.in_use],
            table=table,
            trend=trend(
                days,
                measures=chart,
                gaps=gap_days(
                    days,
                    no_data_reasons(
                        clients=self.clients, date_range=filters.date_range, source=filters.source
                    ),
                ),
                markers=page_markers(
                    user=self.user,
                    clients=self.clients,
                    date_range=filters.date_range,
                    source=filters.source,
                    name_clients=context["client"] is None,
                ),
                **compared_days(compared, clients=self.clients, source=filters.source),
            ),
            chart_choices=chart_choices(),
            exports=export_links(filters, chart),
            restated=restatement_notes(
                restatements_in_range(
                    clients=self.clients,
                    start=filters.date_range.start,
                    end=filters.date_range.end,
                    source=filters.source,
                )
            ),
            pacing_rows=pacing_panel(
                clients=self.clients, start=filters.date_range.start, end=filters.date_range.end
            ),
        )
        return context
