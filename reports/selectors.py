"""Reads for reports: a range's figures, the rows of an export, summaries a change touches.

Every figure comes from the metrics selectors (rollups for totals and days, ``performance_rows``
for campaigns and creatives), so a report and the dashboard always agree. Each read is a fixed
number of set-based queries, whatever the number of rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from django.conf import settings
from django.db.models import Count, F, Min, QuerySet

from campaigns.models import Source
from clients.models import Client
from ingestion.availability import REASON_NOT_YET_PULLED, freshness, no_data_reasons
from metrics.comparison import DEFAULT_COMPARISON, ComparisonMode
from metrics.formulas import Totals
from metrics.models import DailyMetric
from metrics.periods import DateRange, Granularity
from metrics.pricing import with_row_measures
from metrics.selectors.comparison import comparison
from metrics.selectors.hierarchy import CAMPAIGNS, CREATIVES, HierarchyLevel, performance_rows
from metrics.selectors.measures import rollups_in_range, summed_measures, totals_from_row
from metrics.selectors.series import series
from metrics.visibility import ADMIN_ONLY_COST_FIELDS, field_visible
from reports.figures import (
    ComparedFigures,
    MissingDay,
    RankedRow,
    ReportFigures,
    SourceCompleteness,
)
from reports.models import Summary

# ``performance_rows`` names its sums with this prefix ("total_spend", "total_ctr"...).
_TOTAL = "total_"
_CURRENT = "current_"
_PREVIOUS = "previous_"


def report_figures(
    *,
    clients: QuerySet[Client],
    date_range: DateRange,
    mode: ComparisonMode = DEFAULT_COMPARISON,
    previous_range: DateRange | None = None,
    source: str | None = None,
) -> ReportFigures:
    """Everything a report shows for the clients over ``date_range``.

    ``mode`` is what the deltas compare with (``metrics.comparison``: the previous period by
    default, the same dates last year, or none); ``previous_range`` overrides its period
    (summaries pass the week or calendar month before). The deltas are like for like
    (``metrics.selectors.comparison``).
    """
    compared = comparison(
        clients=clients,
        date_range=date_range,
        mode=mode,
        source=source,
        compared_range=previous_range,
    )
    previous_range = compared.comparison_range
    compared_days = (
        series(
            rollups_in_range(
                clients=clients, start=previous_range.start, end=previous_range.end, source=source
            ),
            date_range=previous_range,
            granularity=Granularity.DAY,
        )
        if previous_range is not None
        else []
    )
    days = series(
        rollups_in_range(
            clients=clients, start=date_range.start, end=date_range.end, source=source
        ),
        date_range=date_range,
        granularity=Granularity.DAY,
    )

    def performance(level: HierarchyLevel) -> QuerySet[Any]:
        return performance_rows(level, clients=clients, date_range=date_range, source=source)

    top_n = settings.SUMMARY_TOP_N
    underperforming = _underperformers(clients=clients, date_range=date_range, source=source)
    return ReportFigures(
        date_range=date_range,
        previous_range=previous_range,
        current=compared.total,
        previous=compared.compared_total or Totals(),
        comparison=ComparedFigures(
            current=compared.current,
            previous=compared.previous,
            comparable=compared.comparable,
            left_out=tuple(compared.reasons()),
            daily=tuple((day.start, totals) for day, totals in compared_days),
        )
        if previous_range is not None
        else None,
        daily=tuple((day.start, totals) for day, totals in days),
        top_campaigns_by_conversions=_ranked(
            CAMPAIGNS,
            performance(CAMPAIGNS)
            .filter(total_conversions__gt=0)
            .order_by(*_descending("conversions", "conversion_revenue"), "campaign_id")[:top_n],
        ),
        top_campaigns_by_revenue=_ranked(
            CAMPAIGNS,
            performance(CAMPAIGNS)
            .filter(total_conversion_revenue__gt=0)
            .order_by(*_descending("conversion_revenue", "conversions"), "campaign_id")[:top_n],
        ),
        top_creatives=_top_creatives(
            clients=clients, date_range=date_range, source=source, limit=top_n
        ),
        underperformers=_ranked(
            CREATIVES, underperforming[: settings.SUMMARY_UNDERPERFORMERS_SHOWN]
        ),
        underperformer_count=underperforming.count(),
        completeness=completeness(clients=clients, date_range=date_range, source=source),
    )


def _descending(*measures: str) -> list[Any]:
    return [F(f"{_TOTAL}{measure}").desc() for measure in measures]


def _top_creatives(
    *, clients: QuerySet[Client], date_range: DateRange, source: str | None, limit: int
) -> tuple[RankedRow, ...]:
    """The creatives with the most conversions, grouped by creative: a creative (its name and
    size in one campaign) that runs in several placements (a CTV spot on four channels) is one
    row over all of them, not one per placement. One query."""
    rows = export_rows_queryset(clients=clients, date_range=date_range, source=source)
    grouped: QuerySet[Any] = rows.values("campaign_id", "creative__name", "creative__size")
    found = (
        grouped.annotate(
            **summed_measures(prefix=_TOTAL),
            client_name=Min("client__name"),
            source_name=Min("source"),
            campaign_name=Min("campaign__name"),
            first_creative_id=Min("creative_id"),
            placement_count=Count("placement_id", distinct=True),
            placement_name=Min("placement__name"),
        )
        .filter(total_conversions__gt=0)
        .order_by(
            *_descending("conversions", "conversion_revenue", "clicks"),
            "creative__name",
            "creative__size",
            "campaign_id",
        )[:limit]
    )
    return tuple(
        RankedRow(
            id=row["first_creative_id"],
            name=row["creative__name"],
            client=row["client_name"],
            source=row["source_name"],
            campaign=row["campaign_name"],
            size=row["creative__size"],
            totals=totals_from_row(row, prefix=_TOTAL),
            placement=row["placement_name"]
            if row["placement_count"] == 1
            else f"{row['placement_count']} placements",
        )
        for row in found
    )


def _underperformers(
    *, clients: QuerySet[Client], date_range: DateRange, source: str | None
) -> QuerySet[Any]:
    """Creatives that spent without results over the range (thresholds are settings): CTR below
    the floor, spend above the bar, and too few conversions; the biggest spenders first. Only
    sources that report clicks: a CTV creative has no CTR to fall short of (SPEC 9)."""
    return performance_rows(
        CREATIVES,
        clients=clients,
        date_range=date_range,
        source=source,
        ordering="-spend",
        reporting_clicks=True,
    ).filter(
        total_ctr__lt=settings.SUMMARY_UNDERPERFORMER_MAX_CTR,
        total_spend__gt=settings.SUMMARY_UNDERPERFORMER_MIN_SPEND,
        total_conversions__lt=settings.SUMMARY_UNDERPERFORMER_MAX_CONVERSIONS,
    )


def _ranked(level: HierarchyLevel, rows: QuerySet[Any]) -> tuple[RankedRow, ...]:
    """A slice of ``performance_rows`` with the names it needs, fetched in one query."""
    found = list(rows)
    objects = (
        level.objects().select_related(level.client_path).in_bulk([row[level.key] for row in found])
    )
    ranked = []
    for row in found:
        obj = objects[row[level.key]]
        campaign = obj if level is CAMPAIGNS else obj.placement.strategy.campaign
        ranked.append(
            RankedRow(
                id=obj.pk,
                name=obj.name,
                client=campaign.client.name,
                source=campaign.source,
                campaign=campaign.name,
                size=getattr(obj, "size", ""),
                totals=totals_from_row(row, prefix=_TOTAL),
                placement="" if level is CAMPAIGNS else obj.placement.name,
            )
        )
    return tuple(ranked)


def completeness(
    *, clients: QuerySet[Client], date_range: DateRange, source: str | None = None
) -> tuple[SourceCompleteness, ...]:
    """Per source of the clients' own (``ingestion.availability.freshness``: a connection
    or data): the days of the range with data, and why the others have none. Days before the
    source first delivered are not missing unless a run explains them (a file not delivered); a
    source with no data in the range and no missing day is not listed."""
    sources = [source] if source else list(Source.values)
    delivered: dict[str, set[dt.date]] = {name: set() for name in sources}
    for name, day in (
        rollups_in_range(clients=clients, start=date_range.start, end=date_range.end, source=source)
        .values_list("source", "date")
        .distinct()
    ):
        delivered[name].add(day)
    fresh = {entry.source: entry for entry in freshness(clients=clients, sources=sources)}
    result = []
    for name in sources:
        # Asked for every source, needed or not: the number of queries stays the same whatever
        # the data looks like.
        reasons = no_data_reasons(clients=clients, date_range=date_range, source=name)
        if not fresh[name].in_use:
            continue
        first_date = fresh[name].first_date
        missing = tuple(
            MissingDay(day, reasons.get(day, REASON_NOT_YET_PULLED))
            for day in date_range.each_day()
            if day not in delivered[name]
            and (day in reasons or (first_date is not None and day >= first_date))
        )
        if not delivered[name] and not missing:
            continue
        result.append(
            SourceCompleteness(
                source=name,
                days=date_range.days,
                days_with_data=len(delivered[name]),
                missing=missing,
            )
        )
    return tuple(result)


# --- Summaries -------------------------------------------------------------------------------


def summaries_touching(
    *, client_id: int, date_from: dt.date, date_to: dt.date | None
) -> QuerySet[Summary]:
    """Stored summaries whose figures depend on the client's days in [date_from, date_to]
    (open-ended when None): those whose period, or the period their deltas compare with,
    overlaps it."""
    summaries = Summary.objects.filter(client_id=client_id, end__gte=date_from)
    if date_to is not None:
        summaries = summaries.filter(previous_start__lte=date_to)
    return summaries


# --- Exports ---------------------------------------------------------------------------------


class ExportColumn(NamedTuple):
    """One column of an export: its heading, the value's path on the daily metric, its number
    format (a key of ``reports.exports.NUMBER_FORMATS``, text otherwise) and its width."""

    heading: str
    path: str
    kind: str
    width: int


# Every column an export may have, in order. Which of them a reader gets is decided by
# ``metrics.visibility`` (``export_columns``): the agency's cost only for admins.
EXPORT_COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn("Date", "date", "date", 11),
    ExportColumn("Client", "client__name", "text", 22),
    ExportColumn("Source", "source", "text", 10),
    ExportColumn("Campaign", "campaign__name", "text", 28),
    ExportColumn("Strategy", "strategy__name", "text", 24),
    ExportColumn("Placement", "placement__name", "text", 24),
    ExportColumn("Creative", "creative__name", "text", 28),
    ExportColumn("Creative size", "creative__size", "text", 12),
    ExportColumn("Impressions", "impressions", "count", 13),
    ExportColumn("Clicks", "clicks", "count", 10),
    ExportColumn("Conversions", "conversions", "count", 12),
    ExportColumn("Revenue", "conversion_revenue", "money", 12),
    ExportColumn("Spend", "spend", "money", 12),
    ExportColumn(ADMIN_ONLY_COST_FIELDS["source_spend"], "source_spend", "money", 26),
    ExportColumn("CTR %", "ctr", "percent", 9),
    ExportColumn("CPC", "cpc", "money", 10),
    ExportColumn("CPA", "cpa", "money", 10),
    ExportColumn("ROAS %", "roas", "percent", 10),
)


def export_columns(*, with_cost: bool) -> tuple[ExportColumn, ...]:
    """The columns of an export for a reader who may (admins) or may not see the agency's cost."""
    return tuple(
        column for column in EXPORT_COLUMNS if field_visible(column.path, with_cost=with_cost)
    )


def export_rows_queryset(
    *, clients: QuerySet[Client], date_range: DateRange, source: str | None = None
) -> QuerySet[DailyMetric]:
    rows = DailyMetric.objects.filter(
        client__in=clients, date__gte=date_range.start, date__lte=date_range.end
    )
    # Spend is derived (SPEC 4): priced here from the rate in effect on each row's day.
    return with_row_measures(rows.filter(source=source) if source else rows)


def summaries_of(*, clients: QuerySet[Client], period_type: str) -> QuerySet[Summary]:
    """The clients' stored summaries of one kind (weekly or monthly), newest first."""
    return (
        Summary.objects.filter(client__in=clients, period_type=period_type)
        .select_related("client")
        .order_by("-start", "client__name", "pk")
    )
