"""Pricing from a client's CPM history, in SQL (never row by row).

A day is priced at the rate with the latest ``effective_date`` on or before it. Spend is derived,
not stored per detail row (SPEC 4): the rollups hold it per day (``metrics.rollups`` joins the
rate periods, built with a window function, to the days), and a detail read prices its rows with
``with_spend``: impressions x the CPM of the row's day / 1000, unrounded (at most 7 places, since a
CPM has 4), so any sum of detail rows equals the rollups' figures to the millionth.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Round

from clients.models import CpmRate
from metrics.formulas import orm_cpa, orm_cpc, orm_ctr, orm_roas, sql_spend


def rate_periods_sql(clients: str = "client_id = %(client_id)s") -> str:
    """The periods each rate of the ``clients`` (an SQL condition on ``client_id``) governs:
    [starts, ends) with ends NULL for the current rate."""
    return f"""
    SELECT client_id, cpm, effective_date AS starts,
           lead(effective_date) OVER (PARTITION BY client_id ORDER BY effective_date) AS ends
    FROM clients_cpmrate
    WHERE {clients}
"""


# One client's (``%(client_id)s``).
RATE_PERIODS_SQL = rate_periods_sql()

_UNPRICEABLE_SQL = """
    SELECT min(m.date), max(m.date)
    FROM metrics_campaigndayrollup m
    WHERE m.client_id = %(client_id)s
      AND NOT EXISTS (
        SELECT 1 FROM clients_cpmrate r
        WHERE r.client_id = m.client_id AND r.effective_date <= m.date
      )
"""


_EXACT: DecimalField[Decimal, Decimal] = DecimalField(max_digits=38, decimal_places=7)


def cpm_in_effect() -> Subquery:
    """The CPM in effect on a metric row's day (the row's client's latest rate on or before
    it), for annotating detail rows; served by the rates' (client, effective_date) key."""
    return Subquery(
        CpmRate.objects.filter(
            client_id=OuterRef("client_id"), effective_date__lte=OuterRef("date")
        )
        .order_by("-effective_date")
        .values("cpm")[:1]
    )


def cpm_of_rates(clients: QuerySet[Any] | list[int]) -> Case:
    """The CPM in effect on a metric row's day, as one CASE over the rates of ``clients``
    (per client, the latest start on or before the day wins): no lookup per row, so a list of
    millions of rows is priced at the cost of a comparison or two each."""
    rates: dict[int, list[tuple[dt.date, Decimal]]] = {}
    for client_id, starts, cpm in (
        CpmRate.objects.filter(client_id__in=clients)
        .order_by("client_id", "-effective_date")
        .values_list("client_id", "effective_date", "cpm")
    ):
        rates.setdefault(client_id, []).append((starts, cpm))
    per_client = [
        When(
            client_id=client_id,
            then=Case(
                *(When(date__gte=starts, then=Value(cpm)) for starts, cpm in history),
                output_field=_EXACT,
            ),
        )
        for client_id, history in rates.items()
    ]
    return Case(*per_client, output_field=_EXACT)


def _exact_spend(cpm: Combinable) -> ExpressionWrapper:
    return ExpressionWrapper(F("impressions") * cpm * Value(Decimal("0.001")), output_field=_EXACT)


def with_spend(
    metric_rows: QuerySet[Any], *, clients: QuerySet[Any] | list[int] | None = None
) -> QuerySet[Any]:
    """Detail rows with their ``spend`` (what the client is billed for the row), exact: for
    sums of rows. ``clients``: the clients the rows may belong to, for a large read (their
    rates are inlined, ``cpm_of_rates``); otherwise each row looks its rate up."""
    cpm = cpm_in_effect() if clients is None else cpm_of_rates(clients)
    return metric_rows.annotate(spend=_exact_spend(cpm))


def with_row_measures(metric_rows: QuerySet[Any]) -> QuerySet[Any]:
    """Detail rows with ``spend`` and ``ctr``, ``cpc``, ``cpa``, ``roas``, one row at a time (as
    exports show them): spend at storage precision (6 places), as it was stored per row."""
    rows = metric_rows.annotate(spend=Round(_exact_spend(cpm_in_effect()), 6, output_field=_EXACT))
    return rows.annotate(
        ctr=Round(orm_ctr(F("clicks"), F("impressions")), 6, output_field=_EXACT),
        cpc=Round(orm_cpc(F("spend"), F("clicks")), 6, output_field=_EXACT),
        cpa=Round(orm_cpa(F("spend"), F("conversions")), 6, output_field=_EXACT),
        roas=Round(orm_roas(F("conversion_revenue"), F("spend")), 6, output_field=_EXACT),
    )


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
           coalesce(sum(m.metric_rows) FILTER (WHERE p.cpm IS NULL), 0) AS unpriced_rows
    FROM metrics_campaigndayrollup m
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
    """Per month: stored spend vs the spend the proposed CPM history ``rates`` would give,
    read from the campaign rollups (days x campaigns, priced as re-pricing would price them).

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
