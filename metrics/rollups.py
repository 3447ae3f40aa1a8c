"""Keeps ``CampaignDayRollup`` equal to ``DailyMetric`` summed per campaign and day.

Called inside the transaction that changed the metrics (a load, a re-pricing, an undo), for the
client and days it touched: the days are recomputed from scratch, set-based. The change is then
recorded as a ``RollupChange`` and, once the transaction commits, the tasks named by the setting
``ROLLUP_CHANGE_TASKS`` are queued to catch up (this app does not know who they are).
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django_q.tasks import async_task

from metrics.models import RollupChange
from metrics.restatements import restatement_watch

_DELETE_SQL = """
    DELETE FROM metrics_campaigndayrollup
    WHERE client_id = %(client_id)s AND date >= %(date_from)s
      AND (%(date_to)s::date IS NULL OR date <= %(date_to)s::date)
      AND (%(source)s::text IS NULL OR source = %(source)s::text)
"""

_INSERT_SQL = """
    INSERT INTO metrics_campaigndayrollup
        (client_id, date, source, campaign_id, impressions, clicks, conversions,
         conversion_revenue, spend, source_spend, metric_rows)
    SELECT client_id, date, source, campaign_id, sum(impressions), sum(clicks), sum(conversions),
           sum(conversion_revenue), sum(spend), sum(source_spend), count(*)
    FROM metrics_dailymetric
    WHERE client_id = %(client_id)s AND date >= %(date_from)s
      AND (%(date_to)s::date IS NULL OR date <= %(date_to)s::date)
      AND (%(source)s::text IS NULL OR source = %(source)s::text)
    GROUP BY client_id, date, source, campaign_id
"""


def rollups_refresh(
    *,
    client_id: int,
    date_from: dt.date,
    date_to: dt.date | None,
    source: str | None = None,
    reason: str = "",
    by_id: int | None = None,
) -> None:
    """Recompute the client's rollups for [date_from, date_to] (open-ended when None), and record
    the change for what depends on those days. A closed week or month whose totals it changes is
    recorded as restated, with ``reason`` (text the client reads) and who (``by_id``)."""
    params: dict[str, Any] = {
        "client_id": client_id,
        "date_from": date_from,
        "date_to": date_to,
        "source": source,
    }
    watch = restatement_watch(
        client_id=client_id, date_from=date_from, date_to=date_to, source=source
    )
    with connection.cursor() as cursor:
        cursor.execute(_DELETE_SQL, params)
        cursor.execute(_INSERT_SQL, params)
    watch.record(reason=reason, by_id=by_id)
    RollupChange.objects.create(client_id=client_id, date_from=date_from, date_to=date_to)
    for task in settings.ROLLUP_CHANGE_TASKS:
        transaction.on_commit(partial(async_task, task))
