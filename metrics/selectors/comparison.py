"""Like-for-like changes (SPEC 9 "Comparable"), read set-based from the rollups.

Per client and source, a day "has data" when the source has rollup rows for that client and day.
A change uses only the pairs of days (``metrics.comparison.day_pairs``) where both days have that
source's data; a source whose pairs are fewer than half of the period's days is not comparable,
with a reason a person reads. A blended figure sums only the comparable sources and names the
others. One query whatever the range (the rollups summed per client, source and day; the days
pair in Python), two for a drill-down (its own rows summed the same way).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from django.db.models import (
    Q,
    QuerySet,
)

from campaigns.models import Source
from clients.models import Client
from metrics.comparison import (
    ComparisonMode,
    comparison_range,
    enough_pairs,
    pair_shift,
    range_text,
)
from metrics.formulas import Change, Totals, changes
from metrics.models import CampaignDayRollup
from metrics.periods import DateRange
from metrics.selectors.measures import summed_measures, totals_from_row

_TOTAL = "total_"
# How data arrives, in the words of a reason ("Facebook: 1 of 7 days uploaded").
ARRIVAL_VERBS = {
    Source.SURFSIDE.value: "delivered",
    Source.VIBE.value: "pulled",
    Source.FACEBOOK.value: "uploaded",
}


def totals_sum(parts: Iterable[Totals]) -> Totals:
    """The sum of several slices' totals (rates follow from the summed measures)."""
    summed: dict[str, Any] = {}
    for part in parts:
        for measure in fields(Totals):
            value = getattr(part, measure.name)
            if value is not None:
                summed[measure.name] = summed.get(measure.name, 0) + value
    return Totals(**summed)


@dataclass(frozen=True)
class SourceComparison:
    """One client's source over the range and the range it is compared with."""

    client_id: int
    client_name: str
    source: str
    days: int
    paired_days: int
    current_days: int
    comparison_days: int
    comparison_range: DateRange
    current: Totals = field(default_factory=Totals)
    previous: Totals = field(default_factory=Totals)

    @property
    def comparable(self) -> bool:
        return enough_pairs(self.paired_days, self.days)

    @property
    def label(self) -> str:
        return str(Source(self.source).label)

    def reason(self, *, name_client: bool = False) -> str:
        """Why the source is not comparable, e.g. "Facebook: 1 of 7 days uploaded"; "" when it
        is comparable."""
        if self.comparable:
            return ""
        verb = ARRIVAL_VERBS[self.source]
        who = f"{self.client_name} · {self.label}" if name_client else self.label
        compared_days = self.comparison_range.days
        if self.comparison_days == 0 and self.current_days * 2 >= self.days:
            return f"{who}: no data {verb} in {range_text(self.comparison_range)}"
        current_short = self.current_days * 2 < self.days
        compared_short = self.comparison_days * 2 < compared_days
        if not current_short and not compared_short:
            # Enough days on each side, but not the same ones.
            return f"{who}: only {self.paired_days} of {self.days} days have data in both periods"
        parts = [f"{self.current_days} of {self.days} days {verb}"] if current_short else []
        if compared_short:
            during = range_text(self.comparison_range)
            if not parts:
                parts.append(f"{self.comparison_days} of {compared_days} days {verb} in {during}")
            elif self.comparison_days == 0:
                parts.append(f"none in {during}")
            else:
                parts.append(f"{self.comparison_days} of {compared_days} in {during}")
        return f"{who}: {', '.join(parts)}"


@dataclass(frozen=True)
class Comparison:
    """A range against its comparison: the totals a change uses and which sources it left out."""

    mode: ComparisonMode
    date_range: DateRange
    comparison_range: DateRange | None
    sources: tuple[SourceComparison, ...] = ()
    # Every source over the whole range, and over the whole comparison range (None without one):
    # what the cards show, not what the change compares.
    total: Totals = field(default_factory=Totals)
    compared_total: Totals | None = None

    @property
    def name_clients(self) -> bool:
        return len({entry.client_id for entry in self.sources}) > 1

    @property
    def included(self) -> tuple[SourceComparison, ...]:
        return tuple(entry for entry in self.sources if entry.comparable)

    @property
    def left_out(self) -> tuple[SourceComparison, ...]:
        return tuple(entry for entry in self.sources if not entry.comparable)

    @property
    def comparable(self) -> bool:
        """Whether a change can be shown at all: a comparison, and a comparable source."""
        return self.comparison_range is not None and bool(self.included)

    @property
    def current(self) -> Totals:
        return totals_sum(entry.current for entry in self.included)

    @property
    def previous(self) -> Totals:
        return totals_sum(entry.previous for entry in self.included)

    @property
    def changes(self) -> dict[str, Change | None]:
        if not self.comparable:
            return {}
        return changes(self.current, self.previous)

    def reasons(self) -> list[str]:
        return [entry.reason(name_client=self.name_clients) for entry in self.left_out]

    @property
    def compared_text(self) -> str:
        """``vs Oct 1-29`` (en dash) for cards and reports; "" without a comparison."""
        if self.comparison_range is None:
            return ""
        return f"vs {range_text(self.comparison_range)}"

    @property
    def not_comparable_text(self) -> str:
        """The reason a blended change is missing ("" when there is one)."""
        if self.comparison_range is None or self.comparable:
            return ""
        return "not comparable: " + "; ".join(self.reasons()) if self.sources else ""

    @property
    def left_out_text(self) -> str:
        """Which sources a blended change leaves out, and why ("" when none)."""
        if not self.comparable or not self.left_out:
            return ""
        return "Leaves out " + "; ".join(self.reasons())


_Key = tuple[int, str]


def _scope(rows: QuerySet[Any], source: str | None) -> QuerySet[Any]:
    return rows.filter(source=source) if source else rows


def _sums_per_day(
    rows: QuerySet[Any], names: dict[int, str] | None = None
) -> dict[_Key, dict[dt.date, Totals]]:
    """The rows summed per client, source and day: one query, a row per day with data. The
    clients' names are collected into ``names`` when given."""
    found: dict[_Key, dict[dt.date, Totals]] = {}
    for row in (
        rows.values("client_id", "client__name", "source", "date")
        .annotate(**summed_measures(prefix=_TOTAL))
        .order_by()
    ):
        key = (row["client_id"], row["source"])
        found.setdefault(key, {})[row["date"]] = totals_from_row(row, prefix=_TOTAL)
        if names is not None:
            names[row["client_id"]] = row["client__name"]
    return found


def comparison(
    *,
    clients: QuerySet[Client],
    date_range: DateRange,
    mode: ComparisonMode,
    source: str | None = None,
    metric_rows: QuerySet[Any] | None = None,
    compared_range: DateRange | None = None,
) -> Comparison:
    """The like-for-like comparison of ``date_range`` for the clients (one source, or all).

    ``metric_rows`` (one object's daily metrics or rollups, already narrowed to the object; not
    to dates) are summed instead of the clients' rollups: a drill-down's change. Which days have
    data is always the source's, from the rollups. ``compared_range`` overrides the mode's period
    (a weekly summary compares with the week before, even when its Monday is the 1st).

    The rollups are read once, summed per client, source and day (at most 3 sources x 732 days
    per client); the days pair in Python. A drill-down reads its own rows a second time.
    """
    compared = comparison_range(date_range, mode)
    if compared is not None and compared_range is not None:
        compared = compared_range
    in_current = Q(date__gte=date_range.start, date__lte=date_range.end)
    all_rollups = CampaignDayRollup.objects.filter(client__in=clients)
    if compared is None:
        rows = all_rollups if metric_rows is None else metric_rows
        whole = _scope(rows.filter(in_current), source).aggregate(**summed_measures())
        return Comparison(
            mode=mode, date_range=date_range, comparison_range=None, total=totals_from_row(whole)
        )
    both = in_current | Q(date__gte=compared.start, date__lte=compared.end)
    rollups = _scope(all_rollups.filter(both), source)
    names: dict[int, str] = {}
    per_day = _sums_per_day(rollups, names)
    if metric_rows is None:
        summed = per_day
    else:
        summed = _sums_per_day(_scope(metric_rows.filter(both), source))
    shift = pair_shift(date_range, compared)
    entries = []
    total, compared_total = [], []
    for key in sorted(per_day, key=lambda key: (names.get(key[0], ""), key[0], key[1])):
        days = per_day[key]
        current_days = {day for day in days if date_range.start <= day <= date_range.end}
        compared_days = {day for day in days if compared.start <= day <= compared.end}
        paired = sorted(
            day
            for day in current_days
            if day - shift in compared_days and day - shift <= compared.end
        )
        sums = summed.get(key, {})
        entries.append(
            SourceComparison(
                client_id=key[0],
                client_name=names.get(key[0], ""),
                source=key[1],
                days=date_range.days,
                paired_days=len(paired),
                current_days=len(current_days),
                comparison_days=len(compared_days),
                comparison_range=compared,
                current=totals_sum(sums[day] for day in paired if day in sums),
                previous=totals_sum(sums[day - shift] for day in paired if day - shift in sums),
            )
        )
        total += [sums[day] for day in sums if date_range.start <= day <= date_range.end]
        compared_total += [sums[day] for day in sums if compared.start <= day <= compared.end]
    return Comparison(
        mode=mode,
        date_range=date_range,
        comparison_range=compared,
        sources=tuple(entries),
        total=totals_sum(total),
        compared_total=totals_sum(compared_total),
    )
