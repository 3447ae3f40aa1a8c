"""Sortable, paginated performance tables of one hierarchy level, for the pages.

The rows come from ``metrics.selectors.hierarchy`` (sums grouped in SQL, sorted and sliced there);
a page of rows costs three queries whatever its length: the count, the page, the names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page
from django.db.models import QuerySet
from django.urls import reverse

from campaigns.models import Source
from clients.models import Client
from core.api.pagination import OnePassPaginator
from metrics.formatting import MEASURES
from metrics.selectors.hierarchy import (
    CAMPAIGNS,
    CREATIVES,
    DEFAULT_ORDERING,
    NAME_ORDERING,
    ORDERING_FIELDS,
    PLACEMENTS,
    STRATEGIES,
    HierarchyLevel,
    performance_rows,
    with_identity,
)
from portal.filters import ReportFilters

PAGE_SIZE = 25


@dataclass(frozen=True)
class LevelPage:
    """How a level is named on the pages and which page its rows drill down to."""

    singular: str
    plural: str
    # The URL name of the level's own page and what it lists (creatives are the last level).
    route: str | None
    children: str | None


LEVEL_PAGES = {
    CAMPAIGNS: LevelPage("Campaign", "Campaigns", "campaign", "Strategies"),
    STRATEGIES: LevelPage("Strategy", "Strategies", "strategy", "Placements"),
    PLACEMENTS: LevelPage("Placement", "Placements", "placement", "Creatives"),
    CREATIVES: LevelPage("Creative", "Creatives", None, None),
}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    numeric: bool
    sort_query: str
    # aria-sort: "ascending", "descending" or "none".
    sort_state: str
    help_text: str = ""


@dataclass(frozen=True)
class PerformanceTable:
    title: str
    singular: str
    child_plural: str | None
    columns: list[Column]
    rows: list[dict[str, Any]]
    page: Page[Any]
    show_source: bool
    previous_query: str | None
    next_query: str | None


def clean_ordering(value: str | None) -> str:
    """The requested sort if it is one we offer, else the default (spend, largest first)."""
    if value and value.removeprefix("-") in ORDERING_FIELDS:
        return value
    return DEFAULT_ORDERING


def _next_ordering(field: str, current: str) -> str:
    """Clicking a column sorts by it: names A to Z first, measures largest first; clicking the
    same column again reverses the order."""
    if current.removeprefix("-") == field:
        return field if current.startswith("-") else f"-{field}"
    return field if field == NAME_ORDERING else f"-{field}"


def _columns(
    level: HierarchyLevel,
    filters: ReportFilters,
    ordering: str,
    show_source: bool,
    chart: str | None,
) -> list[Column]:
    def column(key: str, label: str, numeric: bool, help_text: str = "") -> Column:
        state = "none"
        if ordering.removeprefix("-") == key:
            state = "descending" if ordering.startswith("-") else "ascending"
        query = filters.query(ordering=_next_ordering(key, ordering), chart=chart)
        return Column(key, label, numeric, query, state, help_text)

    columns = [column(NAME_ORDERING, LEVEL_PAGES[level].singular, numeric=False)]
    if show_source:
        columns.append(
            Column("source", "Source", numeric=False, sort_query="", sort_state="", help_text="")
        )
    columns += [
        column(measure.name, measure.label, numeric=True, help_text=measure.help_text)
        for measure in MEASURES
    ]
    return columns


def performance_table(
    level: HierarchyLevel,
    *,
    clients: QuerySet[Client],
    filters: ReportFilters,
    ordering: str | None,
    page_number: str | None,
    parent_id: int | None = None,
    chart: str | None = None,
) -> PerformanceTable:
    """One page of ``level``'s rows over the filters' range, each with its drill-down link.
    ``chart``: the chart's measures the person picked, kept by the sort and page links."""
    ordering = clean_ordering(ordering)
    rows = performance_rows(
        level,
        clients=clients,
        date_range=filters.date_range,
        source=filters.source,
        parent_id=parent_id,
        ordering=ordering,
    )
    page = OnePassPaginator(rows, PAGE_SIZE).get_page(page_number)
    output = with_identity(level, page.object_list)
    route = LEVEL_PAGES[level].route
    # Below a campaign the range is what the drill-down keeps: the source is the campaign's own.
    link_query = filters.query(source=None)
    for row in output:
        row["url"] = reverse(route, args=[row["id"]]) + link_query if route else None
        row["source_label"] = Source(row["source"]).label
    show_source = level is CAMPAIGNS and filters.source is None
    return PerformanceTable(
        title=LEVEL_PAGES[level].plural,
        singular=LEVEL_PAGES[level].singular,
        child_plural=LEVEL_PAGES[level].children,
        columns=_columns(level, filters, ordering, show_source, chart),
        rows=output,
        page=page,
        show_source=show_source,
        previous_query=filters.query(
            ordering=ordering, page=page.previous_page_number(), chart=chart
        )
        if page.has_previous()
        else None,
        next_query=filters.query(ordering=ordering, page=page.next_page_number(), chart=chart)
        if page.has_next()
        else None,
    )
