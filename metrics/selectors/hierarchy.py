"""Performance of campaigns, strategies, placements and creatives over a date range.

Each level reads the narrowest table that still has its grain: campaigns, strategies and
placements read their daily rollups; creatives read the daily metrics, priced in SQL from the rate
periods (spend is not stored per detail row). Rows are grouped by the object's id only, with no
join before the aggregation; names and parents are fetched afterwards for the page being shown, in
one query. Each row carries the number of rows of the whole list (``full_count``, a window over the
grouped rows), so a page and its count come from one pass (``core.pagination``).

Creatives without a parent filter still sum every metric row of the range (one row per creative
and day), each priced by a lookup of its day's rate: that is the one list whose cost grows with
the detail (seconds for 30 days at 50,000 rows a day, measured by ``devtools.bench_cpm``); the
drill-down, filtered by placement, stays fast. The design meant to bound it (not built yet): a
creative rollup by ISO week, kept with the other rollups, so a range reads its whole weeks from
the rollup and only its partial edge weeks from the detail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Model, QuerySet, Window

from campaigns.models import Campaign, Creative, Placement, Strategy
from clients.models import Client
from metrics.clicks import click_sources
from metrics.formulas import ALL_MEASURES, Totals, orm_cpa, orm_cpc, orm_ctr, orm_roas
from metrics.models import CampaignDayRollup, DailyMetric, PlacementDayRollup, StrategyDayRollup
from metrics.periods import DateRange
from metrics.pricing import with_spend
from metrics.selectors.measures import summed_measures, totals_from_row

HierarchyObject = Campaign | Strategy | Placement | Creative

_TOTAL = "total_"
NAME_ORDERING = "name"
ORDERING_FIELDS = (NAME_ORDERING, *ALL_MEASURES)
DEFAULT_ORDERING = "-spend"


@dataclass(frozen=True)
class HierarchyLevel:
    """How one level of the hierarchy is read.

    ``key`` is the level's column on the metric rows; ``client_path`` leads from the model to its
    client (for tenant scoping); ``parent`` is the level above, whose id filters this one.
    """

    model: type[HierarchyObject]
    metric_model: (
        type[CampaignDayRollup]
        | type[StrategyDayRollup]
        | type[PlacementDayRollup]
        | type[DailyMetric]
    )
    key: str
    client_path: str
    related: tuple[str, ...] = ()
    parent: HierarchyLevel | None = None

    @property
    def parent_key(self) -> str | None:
        return self.parent.key if self.parent else None

    def metric_rows(self, clients: QuerySet[Client] | list[int] | None = None) -> QuerySet[Any]:
        """The level's metric rows, each with its spend (derived for the detail rows, from the
        rates of ``clients`` when given)."""
        rows = self.metric_model._default_manager.all()
        if self.metric_model is DailyMetric:
            return with_spend(rows, clients=clients)
        return rows

    def objects(self) -> QuerySet[Any]:
        """The level's objects with every ancestor loaded (they give source and parent ids)."""
        return self.model._default_manager.select_related(*self.related)


CAMPAIGNS = HierarchyLevel(
    model=Campaign,
    metric_model=CampaignDayRollup,
    key="campaign_id",
    client_path="client",
)
STRATEGIES = HierarchyLevel(
    model=Strategy,
    metric_model=StrategyDayRollup,
    key="strategy_id",
    client_path="campaign__client",
    related=("campaign",),
    parent=CAMPAIGNS,
)
PLACEMENTS = HierarchyLevel(
    model=Placement,
    metric_model=PlacementDayRollup,
    key="placement_id",
    client_path="strategy__campaign__client",
    related=("strategy__campaign",),
    parent=STRATEGIES,
)
CREATIVES = HierarchyLevel(
    model=Creative,
    metric_model=DailyMetric,
    key="creative_id",
    client_path="placement__strategy__campaign__client",
    related=("placement__strategy__campaign",),
    parent=PLACEMENTS,
)


def _name_path(level: HierarchyLevel) -> str:
    return f"{level.key.removesuffix('_id')}__name"


def _order_by(level: HierarchyLevel, ordering: str) -> list[Any]:
    """``ordering`` ("spend", "-ctr", "name"...) as ORDER BY terms, the id breaking ties so that
    pages never overlap."""
    descending = ordering.startswith("-")
    field = ordering.removeprefix("-")
    if field not in ORDERING_FIELDS:
        raise ValueError(f"cannot order by {ordering!r}")
    column = F(_name_path(level) if field == NAME_ORDERING else f"{_TOTAL}{field}")
    term = column.desc() if descending else column.asc()
    return [term, F(level.key).asc()]


def performance_rows(
    level: HierarchyLevel,
    *,
    clients: QuerySet[Client],
    date_range: DateRange,
    source: str | None = None,
    parent_id: int | None = None,
    ordering: str = DEFAULT_ORDERING,
    reporting_clicks: bool = False,
) -> QuerySet[Any]:
    """One row per object of ``level`` with delivery in the range: its id and summed measures
    (``reporting_clicks``: of the sources that report clicks only).

    A lazy query, so the caller can count and slice it (pagination). Turn a slice into output rows
    with ``with_identity``.
    """
    metric_rows = level.metric_rows(clients).filter(
        client__in=clients, date__gte=date_range.start, date__lte=date_range.end
    )
    if source:
        metric_rows = metric_rows.filter(source=source)
    if reporting_clicks:
        metric_rows = metric_rows.filter(click_sources())
    if parent_id is not None and level.parent_key:
        metric_rows = metric_rows.filter(**{level.parent_key: parent_id})
    sums = summed_measures(prefix=_TOTAL)
    clicks, impressions = F(f"{_TOTAL}clicks"), F(f"{_TOTAL}impressions")
    spend, revenue = F(f"{_TOTAL}spend"), F(f"{_TOTAL}conversion_revenue")
    return (
        metric_rows.values(level.key)
        .annotate(
            **sums,
            # Derived rates of the sums, so the list can be sorted by them in SQL.
            total_ctr=orm_ctr(clicks, impressions),
            total_cpc=orm_cpc(spend, clicks),
            total_cpa=orm_cpa(spend, F(f"{_TOTAL}conversions")),
            total_roas=orm_roas(revenue, spend),
            # The number of rows of the whole list, counted over the grouped rows in the same
            # pass (a window runs after GROUP BY): pagination needs no second aggregation.
            full_count=Window(Count("*")),
        )
        .order_by(*_order_by(level, ordering))
    )


def identity(obj: HierarchyObject) -> dict[str, Any]:
    """What names an object in the API: id, name, source, client and the ids of its parents."""
    fields: dict[str, Any] = {"id": obj.pk, "name": obj.name}
    node: Model = obj
    if isinstance(node, Creative):
        fields.update(size=node.size, placement_id=node.placement_id)
        node = node.placement
    if isinstance(node, Placement):
        fields["strategy_id"] = node.strategy_id
        node = node.strategy
    if isinstance(node, Strategy):
        fields["campaign_id"] = node.campaign_id
        node = node.campaign
    assert isinstance(node, Campaign)
    fields.update(source=node.source, client_id=node.client_id)
    return fields


def with_identity(level: HierarchyLevel, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows of ``performance_rows`` (a page) as output rows: identity plus measures, in order."""
    rows = list(rows)
    objects = level.objects().in_bulk([row[level.key] for row in rows])
    return [
        identity(objects[row[level.key]]) | totals_from_row(row, prefix=_TOTAL).as_dict()
        for row in rows
    ]


def object_metric_rows(
    level: HierarchyLevel, obj: HierarchyObject, *, start: dt.date, end: dt.date
) -> QuerySet[Any]:
    """The metric rows of one object over [start, end].

    The object's client, source and parents are named too: they lead PostgreSQL to the natural-key
    index of the daily metrics instead of every row of the client.
    """
    fields = identity(obj)
    lookup: dict[str, Any] = {
        "client_id": fields["client_id"],
        "source": fields["source"],
        level.key: obj.pk,
        "date__gte": start,
        "date__lte": end,
    }
    for parent_key in ("campaign_id", "strategy_id", "placement_id"):
        if parent_key in fields:
            lookup[parent_key] = fields[parent_key]
    return level.metric_rows().filter(**lookup)


def object_totals(level: HierarchyLevel, obj: HierarchyObject, *, date_range: DateRange) -> Totals:
    """One object's totals over the range (zeros when it did not run)."""
    # Grouped by the client (one object: one group) rather than ``aggregate``: an aggregate over
    # the derived per-row spend of the detail rows would be wrapped in a subquery without it.
    sums = (
        object_metric_rows(level, obj, start=date_range.start, end=date_range.end)
        .values("client_id")
        .annotate(**summed_measures(prefix=_TOTAL))
        .order_by("client_id")
        .first()
    )
    return totals_from_row(sums, prefix=_TOTAL) if sums else Totals()
