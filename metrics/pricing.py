"""Pricing stored metrics from a client's CPM history, in SQL (never row by row).

A day is priced at the rate with the latest ``effective_date`` on or before it. The rate periods
are built with a window function (``lead``) and joined to the metric rows, so re-pricing a month of
data is one UPDATE.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection

from metrics.formulas import sql_derived_assignments, sql_spend

# The periods each rate governs: [starts, ends) with ends NULL for the current rate.
RATE_PERIODS_SQL = """
    SELECT client_id, cpm, effective_date AS starts,
           lead(effective_date) OVER (PARTITION BY client_id ORDER BY effective_date) AS ends
    FROM clients_cpmrate
    WHERE client_id = %(client_id)s
"""

_REPRICE_SQL = f"""
    WITH periods AS ({RATE_PERIODS_SQL}),
    priced AS (
        SELECT m.id, {sql_spend("m.impressions", "p.cpm")} AS spend
        FROM metrics_dailymetric m
        JOIN periods p
          ON p.client_id = m.client_id
         AND m.date >= p.starts AND (p.ends IS NULL OR m.date < p.ends)
        WHERE m.client_id = %(client_id)s
          AND m.date >= %(date_from)s
          AND (%(date_to)s::date IS NULL OR m.date <= %(date_to)s::date)
    )
    UPDATE metrics_dailymetric m
    SET spend = priced.spend,
        {
    sql_derived_assignments(
        impressions="m.impressions",
        clicks="m.clicks",
        conversions="m.conversions",
        revenue="m.conversion_revenue",
        spend="priced.spend",
    )
},
        updated_at = now()
    FROM priced
    WHERE m.id = priced.id AND m.spend IS DISTINCT FROM priced.spend
"""

_UNPRICEABLE_SQL = """
    SELECT min(m.date), max(m.date)
    FROM metrics_dailymetric m
    WHERE m.client_id = %(client_id)s
      AND NOT EXISTS (
        SELECT 1 FROM clients_cpmrate r
        WHERE r.client_id = m.client_id AND r.effective_date <= m.date
      )
"""


def reprice_days(*, client_id: int, date_from: dt.date, date_to: dt.date | None) -> int:
    """Re-price the client's stored days in [date_from, date_to] (open-ended when ``date_to`` is
    None) from its CPM history. Returns the number of rows whose spend changed."""
    params: dict[str, Any] = {"client_id": client_id, "date_from": date_from, "date_to": date_to}
    with connection.cursor() as cursor:
        cursor.execute(_REPRICE_SQL, params)
        return cursor.rowcount


def unpriceable_range(*, client_id: int) -> tuple[dt.date, dt.date] | None:
    """The first and last stored day that no CPM rate covers, if any."""
    with connection.cursor() as cursor:
        cursor.execute(_UNPRICEABLE_SQL, {"client_id": client_id})
        first, last = cursor.fetchone()
    return (first, last) if first else None


_IMPACT_SQL = """
    WITH proposed(cpm, effective_date) AS (
        SELECT * FROM unnest(%(cpms)s::numeric[], %(dates)s::date[])
    ),
    periods AS (
        SELECT cpm, effective_date AS starts,
               lead(effective_date) OVER (ORDER BY effective_date) AS ends
        FROM proposed
    )
    SELECT date_trunc('month', m.date)::date AS month,
           sum(m.spend) AS current_spend,
           sum({new_spend}) AS new_spend,
           count(*) FILTER (WHERE p.cpm IS NULL) AS unpriced_rows
    FROM metrics_dailymetric m
    LEFT JOIN periods p ON m.date >= p.starts AND (p.ends IS NULL OR m.date < p.ends)
    WHERE m.client_id = %(client_id)s
    GROUP BY 1
    ORDER BY 1
""".replace("{new_spend}", sql_spend("m.impressions", "coalesce(p.cpm, 0)"))


@dataclass(frozen=True)
class MonthImpact:
    month: dt.date
    current_spend: Decimal
    new_spend: Decimal
    unpriced_rows: int

    @property
    def difference(self) -> Decimal:
        return self.new_spend - self.current_spend


def spend_impact(*, client_id: int, rates: list[tuple[dt.date, Decimal]]) -> list[MonthImpact]:
    """Per month: stored spend vs the spend the proposed CPM history ``rates`` would give.

    ``rates`` is the whole proposed history as (effective_date, cpm) pairs. Only months whose
    spend would change (or would lose its CPM) are returned.
    """
    params: dict[str, Any] = {
        "client_id": client_id,
        "dates": [effective_date for effective_date, _ in rates],
        "cpms": [str(cpm) for _, cpm in rates],
    }
    with connection.cursor() as cursor:
        cursor.execute(_IMPACT_SQL, params)
        rows = cursor.fetchall()
    return [
        MonthImpact(month, current, new, unpriced)
        for month, current, new, unpriced in rows
        if new != current or unpriced
    ]
