"""Totals of a date range for the dashboard: with the previous period, and per source."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from clients.models import Client
from metrics.formulas import Totals
from metrics.periods import DateRange
from metrics.selectors.measures import rollups_in_range, summed_measures, totals_from_row

_CURRENT = "current_"
_PREVIOUS = "previous_"
_TOTAL = "total_"


def totals_with_previous(
    *, clients: QuerySet[Client], date_range: DateRange, source: str | None = None
) -> tuple[Totals, Totals]:
    """Totals of ``date_range`` and of the equally long period just before it, in one query.

    Both periods are adjacent, so one scan of the rollups over both answers both sums.
    """
    previous = date_range.previous()
    sums = rollups_in_range(
        clients=clients, start=previous.start, end=date_range.end, source=source
    ).aggregate(
        **summed_measures(prefix=_CURRENT, where=Q(date__gte=date_range.start)),
        **summed_measures(prefix=_PREVIOUS, where=Q(date__lte=previous.end)),
    )
    return totals_from_row(sums, prefix=_CURRENT), totals_from_row(sums, prefix=_PREVIOUS)


def totals_by_source(
    *, clients: QuerySet[Client], date_range: DateRange, source: str | None = None
) -> dict[str, Totals]:
    """Totals of ``date_range`` per source; sources without delivery are absent."""
    rows = (
        rollups_in_range(clients=clients, start=date_range.start, end=date_range.end, source=source)
        .values("source")
        .annotate(**summed_measures(prefix=_TOTAL))
        .order_by()
    )
    return {row["source"]: totals_from_row(row, prefix=_TOTAL) for row in rows}
