"""Restatements (SPEC 9 "Explained"): a closed week or month whose figures change afterwards.

A week (Monday-Sunday) or calendar month is closed 7 days after it ends, or once a summary of
it was sent (``PeriodClosure``). ``rollups_refresh``, which every writer of a client's figures
goes through (loads, CPM changes, undoing an upload), asks ``restatement_watch`` for the closed
periods its days touch and their totals per source before it rebuilds the rollups, and has the
watch record what changed afterwards: one ``Restatement`` per source, period and client-visible
measure whose total moved. Running the same data again changes nothing, so it records nothing;
a Vibe re-fetch inside an open period is normal settling and is not recorded either.

Both sums are one grouped query over ``CampaignDayRollup`` for all the periods at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from campaigns.models import Source
from metrics.models import PeriodClosure, PeriodKind, Restatement
from metrics.periods import ONE_DAY

# The measures a client sees and a restatement may name (never the platforms' cost).
RESTATED_MEASURES = ("impressions", "clicks", "conversions", "conversion_revenue", "spend")
# A period closes this long after its last day, unless a summary of it was sent earlier.
SETTLING_DAYS = 7
DEFAULT_REASON = "Figures recomputed"

_DAY_TOTALS_SQL = """
    SELECT source, date, sum(impressions), sum(clicks), sum(conversions),
           sum(conversion_revenue), sum(spend)
    FROM metrics_campaigndayrollup
    WHERE client_id = %(client_id)s AND date >= %(first)s AND date <= %(last)s
      AND (%(source)s::text IS NULL OR source = %(source)s::text)
    GROUP BY 1, 2
"""

DayKey = tuple[str, dt.date]
Measures = tuple[Decimal, ...]
ZEROS: Measures = (Decimal(0),) * len(RESTATED_MEASURES)


@dataclass(frozen=True)
class Period:
    period_type: str
    start: dt.date
    end: dt.date
    # Closed by sending a summary of it (not only by time).
    sent: bool = False


def _month_end(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - ONE_DAY


def periods_touching(date_from: dt.date, date_to: dt.date) -> list[Period]:
    """Every week and month with a day in [date_from, date_to]."""
    periods: list[Period] = []
    week = date_from - dt.timedelta(days=date_from.weekday())
    while week <= date_to:
        periods.append(Period(PeriodKind.WEEK, week, week + dt.timedelta(days=6)))
        week += dt.timedelta(days=7)
    month = date_from.replace(day=1)
    while month <= date_to:
        periods.append(Period(PeriodKind.MONTH, month, _month_end(month)))
        month = _month_end(month) + ONE_DAY
    return periods


def closed_periods(
    *, client_id: int, date_from: dt.date, date_to: dt.date | None, today: dt.date
) -> list[Period]:
    """The closed weeks and months with a day in [date_from, date_to] (None: up to today)."""
    last = min(date_to or today, today)
    if date_from > last:
        return []
    touched = periods_touching(date_from, last)
    sent = set(
        PeriodClosure.objects.filter(
            client_id=client_id,
            start__gte=date_from - dt.timedelta(days=31),
            start__lte=last,
        ).values_list("period_type", "start")
    )
    settled = today - dt.timedelta(days=SETTLING_DAYS)
    return [
        replace(period, sent=(period.period_type, period.start) in sent)
        for period in touched
        if period.end <= settled or (period.period_type, period.start) in sent
    ]


def _day_totals(
    client_id: int, source: str | None, periods: list[Period]
) -> dict[DayKey, Measures]:
    """The client's rollups summed per source and day over the days of ``periods``."""
    params: dict[str, Any] = {
        "client_id": client_id,
        "source": source,
        "first": min(period.start for period in periods),
        "last": max(period.end for period in periods),
    }
    with connection.cursor() as cursor:
        cursor.execute(_DAY_TOTALS_SQL, params)
        rows = cursor.fetchall()
    return {
        (row_source, day): tuple(Decimal(value or 0) for value in measures)
        for row_source, day, *measures in rows
    }


def _summed(days: dict[DayKey, Measures], source: str, period: Period) -> Measures:
    totals = [Decimal(0)] * len(RESTATED_MEASURES)
    for (day_source, day), measures in days.items():
        if day_source == source and period.start <= day <= period.end:
            totals = [total + value for total, value in zip(totals, measures, strict=True)]
    return tuple(totals)


@dataclass
class RestatementWatch:
    """The closed periods a rebuild of the rollups touches, with their days before it."""

    client_id: int
    source: str | None
    periods: list[Period]
    before: dict[DayKey, Measures] = field(default_factory=dict)

    def record(self, *, reason: str = "", by_id: int | None = None) -> list[Restatement]:
        """Compare with the rollups as they are now and record every measure that moved.

        A source's period is restated when figures the client had changed: a day that already
        had the source's data changed (a re-delivered file, a re-fetch, a re-pricing, an undo),
        or anything changed in a period whose summary was sent. A source's first data for a
        day of a closed period (a late file, a new client's backfill) is a late delivery, not a
        restatement. Before and after are the whole period's totals for the source.
        """
        if not self.periods:
            return []
        after = _day_totals(self.client_id, self.source, self.periods)
        changed = {
            key
            for key in after.keys() | self.before.keys()
            if after.get(key, ZEROS) != self.before.get(key, ZEROS)
        }
        revised = {key for key in changed if key in self.before}
        restatements = []
        for period in self.periods:
            counted = changed if period.sent else revised
            sources = {source for source, day in counted if period.start <= day <= period.end}
            for source in sorted(sources):
                old_totals = _summed(self.before, source, period)
                new_totals = _summed(after, source, period)
                restatements += [
                    Restatement(
                        client_id=self.client_id,
                        source=source,
                        period_type=period.period_type,
                        period_start=period.start,
                        period_end=period.end,
                        measure=measure,
                        before=old,
                        after=new,
                        reason=(reason or DEFAULT_REASON)[:500],
                        by_id=by_id,
                    )
                    for measure, old, new in zip(
                        RESTATED_MEASURES, old_totals, new_totals, strict=True
                    )
                    if old != new
                ]
        return Restatement.objects.bulk_create(restatements)


def restatement_watch(
    *,
    client_id: int,
    date_from: dt.date,
    date_to: dt.date | None,
    source: str | None = None,
    today: dt.date | None = None,
) -> RestatementWatch:
    """Start watching the closed periods of [date_from, date_to]: call before the rollups of
    those days are rebuilt, then ``record`` once they are."""
    periods = closed_periods(
        client_id=client_id,
        date_from=date_from,
        date_to=date_to,
        today=today or timezone.localdate(),
    )
    watch = RestatementWatch(client_id=client_id, source=source, periods=periods)
    if periods:
        watch.before = _day_totals(client_id, source, periods)
    return watch


# --- Reasons, in words a client reads ----------------------------------------------------------


def rate_text(cpm: Decimal) -> str:
    """``14.0000`` -> ``$14.00``, keeping digits past the cents a rate may have (``$16.1234``)."""
    if cpm == cpm.quantize(Decimal("0.01")):
        return f"${cpm:,.2f}"
    return f"${cpm:,.4f}".rstrip("0")


def day_text(day: dt.date) -> str:
    """``Nov 1`` (the year when it is not this year's: ``Nov 1, 2025``)."""
    text = f"{day:%b} {day.day}"
    return text if day.year == timezone.localdate().year else f"{text}, {day.year}"


def cpm_reason(
    *,
    old_cpm: Decimal | None,
    new_cpm: Decimal,
    effective_date: dt.date,
    old_date: dt.date | None = None,
) -> str:
    """Why a CPM change restated figures: ``CPM from $12.50 to $14.00 from Nov 1``."""
    if old_date is not None and old_date != effective_date:
        return (
            f"CPM of {rate_text(new_cpm)} now from {day_text(effective_date)} "
            f"(was from {day_text(old_date)})"
        )
    if old_cpm is None:
        return f"CPM of {rate_text(new_cpm)} from {day_text(effective_date)}"
    return f"CPM from {rate_text(old_cpm)} to {rate_text(new_cpm)} from {day_text(effective_date)}"


def cpm_removed_reason(*, cpm: Decimal, effective_date: dt.date, fallback: Decimal | None) -> str:
    """``CPM of $14.00 from Nov 1 removed; back to $12.50``."""
    back = f"; back to {rate_text(fallback)}" if fallback is not None else ""
    return f"CPM of {rate_text(cpm)} from {day_text(effective_date)} removed{back}"


def load_reason(
    *, source: str, first_day: dt.date, last_day: dt.date, file_name: str, replaced: bool
) -> str:
    """Why a load restated figures: ``Surfside file 'x.csv' for Nov 3 re-delivered`` (or
    ``delivered late`` when it replaced no stored row), ``Vibe data for Nov 1-7 re-fetched``."""
    days = day_text(first_day)
    if last_day != first_day:
        days = f"{days}\u2013{day_text(last_day)}"
    label = Source(source).label
    if source == Source.VIBE:
        return f"{label} data for {days} re-fetched"
    named = f" '{file_name}'" if file_name else ""
    return f"{label} file{named} for {days} {'re-delivered' if replaced else 'delivered late'}"
