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

_TOTALS_SQL = """
    WITH periods(period_type, starts, ends) AS (
        SELECT * FROM unnest(%(types)s::text[], %(starts)s::date[], %(ends)s::date[])
    )
    SELECT p.period_type, p.starts, r.source, sum(r.impressions), sum(r.clicks),
           sum(r.conversions), sum(r.conversion_revenue), sum(r.spend)
    FROM periods p
    JOIN metrics_campaigndayrollup r
      ON r.client_id = %(client_id)s AND r.date >= p.starts AND r.date <= p.ends
    WHERE (%(source)s::text IS NULL OR r.source = %(source)s::text)
    GROUP BY 1, 2, 3
"""

Key = tuple[str, dt.date, str]


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


def _totals(
    client_id: int, source: str | None, periods: list[Period]
) -> dict[Key, tuple[Decimal, ...]]:
    params: dict[str, Any] = {
        "client_id": client_id,
        "source": source,
        "types": [period.period_type for period in periods],
        "starts": [period.start for period in periods],
        "ends": [period.end for period in periods],
    }
    with connection.cursor() as cursor:
        cursor.execute(_TOTALS_SQL, params)
        rows = cursor.fetchall()
    return {
        (period_type, start, row_source): tuple(Decimal(value or 0) for value in measures)
        for period_type, start, row_source, *measures in rows
    }


@dataclass
class RestatementWatch:
    """The closed periods a rebuild of the rollups touches, with their totals before it."""

    client_id: int
    source: str | None
    periods: list[Period]
    before: dict[Key, tuple[Decimal, ...]] = field(default_factory=dict)

    def record(self, *, reason: str = "", by_id: int | None = None) -> list[Restatement]:
        """Compare with the rollups as they are now and record every measure that moved."""
        if not self.periods:
            return []
        after = _totals(self.client_id, self.source, self.periods)
        ends = {(period.period_type, period.start): period.end for period in self.periods}
        # A source's period is restated when the client had its figures: the period was sent,
        # or the source had data in it before. A source's first data for a closed period (a new
        # client's backfill, a first late upload) is a late delivery, not a restatement.
        shown = {(p.period_type, p.start) for p in self.periods if p.sent} | {
            (key[0], key[1]) for key in self.before
        }
        zeros = (Decimal(0),) * len(RESTATED_MEASURES)
        restatements = [
            Restatement(
                client_id=self.client_id,
                source=key[2],
                period_type=key[0],
                period_start=key[1],
                period_end=ends[(key[0], key[1])],
                measure=measure,
                before=old,
                after=new,
                reason=(reason or DEFAULT_REASON)[:500],
                by_id=by_id,
            )
            for key in sorted(set(self.before) | set(after))
            if (key[0], key[1]) in shown
            for measure, old, new in zip(
                RESTATED_MEASURES,
                self.before.get(key, zeros),
                after.get(key, zeros),
                strict=True,
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
        watch.before = _totals(client_id, source, periods)
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
