"""What a proposed CPM history would change, before anything is applied (SPEC 4, SPEC 9).

Read-only and set-based: the client's rollup impressions per day, priced once with the rate
periods stored now and once with the proposed ones, summed per month and per closed week and
month in SQL. Only months and periods with a day whose rate would change are listed. A closed
period is one whose figures would be restated (``metrics.restatements``); the preview says
whether a summary of it was already sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from metrics.formatting import money
from metrics.formulas import sql_spend
from metrics.models import PeriodClosure, PeriodKind
from metrics.restatements import SETTLING_DAYS, Period, periods_touching, rate_text
from metrics.selectors.restatements import period_text

_PRICED_DAYS = """
    WITH proposed(cpm, effective_date) AS (
        SELECT * FROM unnest(%(cpms)s::numeric[], %(dates)s::date[])
    ),
    new_periods AS (
        SELECT cpm, effective_date AS starts,
               lead(effective_date) OVER (ORDER BY effective_date) AS ends
        FROM proposed
    ),
    old_periods AS (
        SELECT cpm, effective_date AS starts,
               lead(effective_date) OVER (ORDER BY effective_date) AS ends
        FROM clients_cpmrate WHERE client_id = %(client_id)s
    ),
    days AS (
        SELECT date, sum(impressions) AS impressions
        FROM metrics_campaigndayrollup WHERE client_id = %(client_id)s
        GROUP BY date
    ),
    priced AS (
        SELECT d.date, d.impressions, o.cpm AS old_cpm, n.cpm AS new_cpm,
               o.cpm IS DISTINCT FROM n.cpm AS changed
        FROM days d
        LEFT JOIN old_periods o ON d.date >= o.starts AND (o.ends IS NULL OR d.date < o.ends)
        LEFT JOIN new_periods n ON d.date >= n.starts AND (n.ends IS NULL OR d.date < n.ends)
    )
"""

# Whole months that have a changed day: the rates of the changed days, and the month's spend.
_MONTHS_SQL = f"""
    {_PRICED_DAYS}
    SELECT date_trunc('month', date)::date AS month,
           array_agg(DISTINCT old_cpm) FILTER (WHERE changed AND old_cpm IS NOT NULL),
           array_agg(DISTINCT new_cpm) FILTER (WHERE changed AND new_cpm IS NOT NULL),
           sum({sql_spend("impressions", "coalesce(old_cpm, 0)")}),
           sum({sql_spend("impressions", "coalesce(new_cpm, 0)")}),
           count(*) FILTER (WHERE new_cpm IS NULL)
    FROM priced GROUP BY 1 HAVING bool_or(changed) ORDER BY 1
"""

_PERIODS_SQL = f"""
    {_PRICED_DAYS},
    periods(period_type, starts, ends) AS (
        SELECT * FROM unnest(%(types)s::text[], %(starts)s::date[], %(ends)s::date[])
    )
    SELECT p.period_type, p.starts,
           sum({sql_spend("c.impressions", "coalesce(c.old_cpm, 0)")}),
           sum({sql_spend("c.impressions", "coalesce(c.new_cpm, 0)")})
    FROM periods p JOIN priced c ON c.date >= p.starts AND c.date <= p.ends
    GROUP BY 1, 2 HAVING bool_or(c.changed)
"""


@dataclass(frozen=True)
class MonthImpact:
    """One month whose spend the proposed rates change: the rates and spend before and after."""

    month: dt.date
    old_rates: tuple[Decimal, ...]
    new_rates: tuple[Decimal, ...]
    current_spend: Decimal
    new_spend: Decimal
    unpriced_days: int

    @property
    def difference(self) -> Decimal:
        return self.new_spend - self.current_spend


@dataclass(frozen=True)
class ClosedPeriodImpact:
    """A closed week or month the change would restate, and whether its summary went out."""

    period_type: str
    start: dt.date
    end: dt.date
    current_spend: Decimal
    new_spend: Decimal
    summary_sent: bool

    @property
    def difference(self) -> Decimal:
        return self.new_spend - self.current_spend


@dataclass(frozen=True)
class CpmImpact:
    months: tuple[MonthImpact, ...]
    closed: tuple[ClosedPeriodImpact, ...]

    @property
    def current_spend(self) -> Decimal:
        return sum((month.current_spend for month in self.months), Decimal(0))

    @property
    def new_spend(self) -> Decimal:
        return sum((month.new_spend for month in self.months), Decimal(0))

    @property
    def difference(self) -> Decimal:
        return self.new_spend - self.current_spend

    @property
    def unpriced(self) -> bool:
        return any(month.unpriced_days for month in self.months)


def _rows(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def cpm_impact(
    *, client_id: int, rates: list[tuple[dt.date, Decimal]], today: dt.date | None = None
) -> CpmImpact:
    """What replacing the client's CPM history with ``rates`` ((effective_date, cpm) pairs, the
    whole proposed history) would change: per month, and per closed week and month."""
    today = today or timezone.localdate()
    params: dict[str, Any] = {
        "client_id": client_id,
        "dates": [effective_date for effective_date, _ in rates],
        "cpms": [str(cpm) for _, cpm in rates],
    }
    months = tuple(
        MonthImpact(month, tuple(sorted(old or ())), tuple(sorted(new or ())), *spends)
        for month, old, new, *spends in _rows(_MONTHS_SQL, params)
    )
    if not months:
        return CpmImpact(months=(), closed=())
    first = months[0].month
    last = min(today, (months[-1].month + dt.timedelta(days=31)).replace(day=1))
    sent = set(
        PeriodClosure.objects.filter(
            client_id=client_id, start__gte=first - dt.timedelta(days=7), start__lte=last
        ).values_list("period_type", "start")
    )
    settled = today - dt.timedelta(days=SETTLING_DAYS)
    closed: list[Period] = [
        period
        for period in periods_touching(first, last)
        if period.end <= settled or (period.period_type, period.start) in sent
    ]
    if not closed:
        return CpmImpact(months=months, closed=())
    ends = {(period.period_type, period.start): period.end for period in closed}
    rows = _rows(
        _PERIODS_SQL,
        {
            **params,
            "types": [period.period_type for period in closed],
            "starts": [period.start for period in closed],
            "ends": [period.end for period in closed],
        },
    )
    impacts = [
        ClosedPeriodImpact(
            period_type=period_type,
            start=start,
            end=ends[(period_type, start)],
            current_spend=current,
            new_spend=new,
            summary_sent=(period_type, start) in sent,
        )
        for period_type, start, current, new in rows
        if current != new
    ]
    impacts.sort(key=lambda impact: (impact.start, impact.period_type != "week"))
    return CpmImpact(months=months, closed=tuple(impacts))


def signed_money(value: Decimal) -> str:
    """``+$501.11``, ``-$12.00``, ``$0.00``."""
    return f"+{money(value)}" if value > 0 else money(value)


def impact_display(impact: CpmImpact) -> dict[str, Any]:
    """The preview as the admin reads it: rates and spend with their currency."""
    return {
        "months": [
            {
                "month": month.month,
                "old_rate": ", ".join(rate_text(cpm) for cpm in month.old_rates) or "none",
                "new_rate": ", ".join(rate_text(cpm) for cpm in month.new_rates) or "none",
                "current": money(month.current_spend),
                "new": money(month.new_spend),
                "difference": signed_money(month.difference),
            }
            for month in impact.months
        ],
        "closed": [
            {
                "period": period_text(period.period_type, period.start, period.end),
                "kind": "Week" if period.period_type == PeriodKind.WEEK else "Month",
                "current": money(period.current_spend),
                "new": money(period.new_spend),
                "difference": signed_money(period.difference),
                "summary_sent": period.summary_sent,
            }
            for period in impact.closed
        ],
        "totals": {
            "current": money(impact.current_spend),
            "new": money(impact.new_spend),
            "difference": signed_money(impact.difference),
        },
    }
