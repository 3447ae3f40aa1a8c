"""Keeps the daily rollups equal to ``DailyMetric`` summed per day, priced at the day's CPM.

Three rollups, one per level a dashboard lists: ``PlacementDayRollup``, ``StrategyDayRollup`` and
``CampaignDayRollup``. Called inside the transaction that changed the metrics (a load, an undo)
for the client and days it touched: the days are rebuilt set-based, with one scan of the detail
rows (into the placement rollup; strategies and campaigns are summed from it). Spend is priced
from summed impressions: round(sum(impressions) x CPM / 1000, 6), exact since a CPM has 4 places
(the unrounded figure has at most 7), so a rollup's spend is the sum of its rows' spends to the
millionth, whatever the rate.

A CPM change (``spend_only=True``) re-prices the rollups of the governed days in place, without
reading a detail row: days x campaigns (strategies, placements), not rows.

Either way the change is then recorded as a ``RollupChange`` and, once the transaction commits,
the tasks named by the setting ``ROLLUP_CHANGE_TASKS`` are queued to catch up (this app does not
know who they are).
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django_q.tasks import async_task

from metrics.formulas import sql_spend
from metrics.models import RollupChange
from metrics.pricing import RATE_PERIODS_SQL

# (table, the hierarchy columns it is keyed on), from the finest level up.
_LEVELS = (
    ("metrics_placementdayrollup", "campaign_id, strategy_id, placement_id"),
    ("metrics_strategydayrollup", "campaign_id, strategy_id"),
    ("metrics_campaigndayrollup", "campaign_id"),
)

_DAYS = """
    client_id = %(client_id)s AND date >= %(date_from)s
    AND (%(date_to)s::date IS NULL OR date <= %(date_to)s::date)
    AND (%(source)s::text IS NULL OR source = %(source)s::text)
"""

_MEASURES = "impressions, clicks, conversions, conversion_revenue, source_spend, metric_rows"


def _insert_sql(table: str, keys: str, from_table: str, rows: str) -> str:
    """Rebuild ``table`` from ``from_table`` (the detail rows, or the finer rollup), pricing each
    group's summed impressions at the rate in effect on its day."""
    return f"""
        WITH periods AS ({RATE_PERIODS_SQL}),
        summed AS (
            SELECT client_id, date, source, {keys}, sum(impressions) AS impressions,
                   sum(clicks) AS clicks, sum(conversions) AS conversions,
                   sum(conversion_revenue) AS conversion_revenue,
                   sum(source_spend) AS source_spend, {rows} AS metric_rows
            FROM {from_table}
            WHERE {_DAYS}
            GROUP BY client_id, date, source, {keys}
        )
        INSERT INTO {table} (client_id, date, source, {keys}, {_MEASURES}, spend)
        SELECT s.client_id, s.date, s.source, {keys}, {_MEASURES},
               {sql_spend("s.impressions", "p.cpm")}
        FROM summed s
        LEFT JOIN periods p ON s.date >= p.starts AND (p.ends IS NULL OR s.date < p.ends)
    """


_REBUILD_SQL = [
    *(f"DELETE FROM {table} WHERE {_DAYS}" for table, _ in _LEVELS),
    _insert_sql(*_LEVELS[0], "metrics_dailymetric", "count(*)"),
    _insert_sql(*_LEVELS[1], _LEVELS[0][0], "sum(metric_rows)"),
    _insert_sql(*_LEVELS[2], _LEVELS[1][0], "sum(metric_rows)"),
]

_REPRICE_SQL = [
    f"""
    WITH periods AS ({RATE_PERIODS_SQL})
    UPDATE {table} r SET spend = {sql_spend("r.impressions", "p.cpm")}, refreshed_at = now()
    FROM periods p
    WHERE r.client_id = %(client_id)s AND r.date >= %(date_from)s
      AND (%(date_to)s::date IS NULL OR r.date <= %(date_to)s::date)
      AND (%(source)s::text IS NULL OR r.source = %(source)s::text)
      AND r.date >= p.starts AND (p.ends IS NULL OR r.date < p.ends)
      AND r.spend IS DISTINCT FROM {sql_spend("r.impressions", "p.cpm")}
    """
    for table, _ in _LEVELS
]


def rollups_refresh(
    *,
    client_id: int,
    date_from: dt.date,
    date_to: dt.date | None,
    source: str | None = None,
    reason: str = "",
    by_id: int | None = None,
    spend_only: bool = False,
) -> int:
    """Recompute the client's rollups for [date_from, date_to] (open-ended when None), and record
    the change for what depends on those days.

    ``reason`` and ``by_id`` say why and for whom (a CPM change: "CPM from $12.50 to $14.00 from
    Nov 1", its user), for the record of the change. ``spend_only``: only the rates changed, so
    the stored rollups are re-priced in place instead of rebuilt from the detail rows. Returns
    the number of campaign-days whose spend changed (re-pricing) or that were rebuilt.
    """
    params: dict[str, Any] = {
        "client_id": client_id,
        "date_from": date_from,
        "date_to": date_to,
        "source": source,
    }
    changed = 0
    with connection.cursor() as cursor:
        for sql in _REPRICE_SQL if spend_only else _REBUILD_SQL:
            cursor.execute(sql, params)
            changed = cursor.rowcount
    RollupChange.objects.create(client_id=client_id, date_from=date_from, date_to=date_to)
    for task in settings.ROLLUP_CHANGE_TASKS:
        transaction.on_commit(partial(async_task, task))
    return changed
