"""The drill-down: a campaign's strategies, a strategy's placements, a placement's creatives.

Each page shows one object's totals over the range (against the previous period) and the table
of its children. The object is looked up through the tenant scope: another client's id is the
same 404 as an id that does not exist.
"""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django.urls import reverse
from django.views.generic import TemplateView

from campaigns.models import Campaign
from clients.models import Client
from clients.scoping import get_scoped_or_404
from ingestion.availability import no_data_reasons
from metrics.comparison import comparison_range, range_text
from metrics.selectors.comparison import comparison
from metrics.selectors.hierarchy import (
    CAMPAIGNS,
    CREATIVES,
    PLACEMENTS,
    STRATEGIES,
    HierarchyLevel,
    HierarchyObject,
    object_metric_rows,
)
from portal.annotated import page_markers
from portal.tables import LEVEL_PAGES, performance_table
from portal.trend import daily_totals, trend
from portal.views.base import ReportPageMixin
from portal.views.dashboard import comparison_cards, comparison_note
from reports.charts import chart_choices, chart_measures, gap_days


def ancestors(obj: HierarchyObject) -> list[tuple[HierarchyLevel, HierarchyObject]]:
    """The object's chain from its campaign down to itself (already loaded with the object)."""
    chain: list[tuple[HierarchyLevel, HierarchyObject]] = []
    node: Any = obj
    for level, parent_attribute in (
        (PLACEMENTS, "strategy"),
        (STRATEGIES, "campaign"),
        (CAMPAIGNS, None),
    ):
        if isinstance(node, level.model):
            chain.append((level, node))
            if parent_attribute:
                node = getattr(node, parent_attribute)
    return list(reversed(chain))


class HierarchyPageView(ReportPageMixin, TemplateView):
    """One object of ``level`` and the table of its children (``child_level``)."""

    template_name = "portal/drilldown.html"
    # Every drill-down shows a table of children below campaigns, read from the detail.
    detail_only = True
    level: ClassVar[HierarchyLevel]
    child_level: ClassVar[HierarchyLevel]

    def get_object(self) -> HierarchyObject:
        level = self.level
        in_scope = level.objects().filter(**{f"{level.client_path}__in": self.clients})
        # The client comes with the object: the header names it for admins.
        in_scope = in_scope.select_related(level.client_path)
        found: HierarchyObject = get_scoped_or_404(
            in_scope, self.user, level.client_path, pk=self.kwargs["pk"]
        )
        return found

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        obj = self.get_object()
        # Below a campaign the source is the campaign's own: only the range carries over.
        filters = self.filters.with_source(None)
        context.update(self.report_context(filters, whole_scope=False))
        chain = ancestors(obj)
        campaign = cast(Campaign, chain[0][1])
        # Like for like: the object's sums over the days its source has data in both periods.
        compared_range = comparison_range(filters.date_range, filters.comparison)
        first_day = min(filters.date_range.start, (compared_range or filters.date_range).start)
        compared = comparison(
            clients=Client.objects.filter(pk=campaign.client_id),
            date_range=filters.date_range,
            mode=filters.comparison,
            source=campaign.source,
            metric_rows=object_metric_rows(
                self.level, obj, start=first_day, end=filters.date_range.end
            ),
        )
        link_query = filters.query()
        breadcrumbs = [{"label": "Dashboard", "url": reverse("dashboard") + link_query}]
        for level, node in chain[:-1]:
            page = LEVEL_PAGES[level]
            breadcrumbs.append(
                {
                    "kind": page.singular,
                    "label": node.name,
                    "url": reverse(page.route, args=[node.pk]) + link_query,
                }
            )
        days = daily_totals(
            object_metric_rows(
                self.level, obj, start=filters.date_range.start, end=filters.date_range.end
            ),
            filters.date_range,
        )
        context.update(
            object=obj,
            object_kind=LEVEL_PAGES[self.level].singular,
            source_label=campaign.get_source_display(),
            client=campaign.client,
            breadcrumbs=breadcrumbs,
            kpis=comparison_cards(compared),
            compare_note=comparison_note(compared),
            compact_kpis=True,
            trend=trend(
                days,
                measures=chart_measures(",".join(self.request.GET.getlist("chart"))),
                gaps=gap_days(
                    days,
                    no_data_reasons(
                        clients=Client.objects.filter(pk=campaign.client_id),
                        date_range=filters.date_range,
                        source=campaign.source,
                    ),
                ),
                markers=page_markers(
                    user=self.user,
                    clients=Client.objects.filter(pk=campaign.client_id),
                    date_range=filters.date_range,
                    source=campaign.source,
                    campaign_id=campaign.pk,
                ),
                comparison_days=daily_totals(
                    object_metric_rows(
                        self.level, obj, start=compared_range.start, end=compared_range.end
                    ),
                    compared_range,
                )
                if compared_range is not None
                else None,
                comparison_label=range_text(compared_range) if compared_range else "",
            ),
            chart_choices=chart_choices(),
            table=performance_table(
                self.child_level,
                clients=self.clients,
                filters=filters,
                ordering=self.request.GET.get("ordering"),
                page_number=self.request.GET.get("page"),
                parent_id=obj.pk,
                chart=self.chart_picked,
            ),
        )
        return context


class CampaignPageView(HierarchyPageView):
    level = CAMPAIGNS
    child_level = STRATEGIES


class StrategyPageView(HierarchyPageView):
    level = STRATEGIES
    child_level = PLACEMENTS


class PlacementPageView(HierarchyPageView):
    level = PLACEMENTS
    child_level = CREATIVES
