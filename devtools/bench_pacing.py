"""Pacing panel latency at scale, measured rather than guessed (``manage.py bench_pacing``).

Seeds throwaway clients whose campaign-day rollups cover ``days`` days (pacing reads only the
rollups, so the daily metric rows behind them are not needed), 200 insertion orders over their
campaigns, then times ``pacing_panel`` for all of them and prints p50/p95. Everything seeded is
deleted afterwards, even when a call fails. Never run by the test suite.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
import time
import uuid
from typing import Any, Protocol

from django.db import connection
from django.utils import timezone

from clients.models import Client
from pacing.models import InsertionOrder
from pacing.panel import pacing_panel

CALLS = 30
TARGET_MS = 200.0

_CAMPAIGNS_SQL = """
    INSERT INTO campaigns_campaign (client_id, source, name, created_at, updated_at)
    SELECT %(client_id)s, 'surfside', 'Bench campaign ' || n, now(), now()
    FROM generate_series(1, %(campaigns)s) AS n
"""
_ROLLUPS_SQL = """
    INSERT INTO metrics_campaigndayrollup
        (client_id, date, source, campaign_id, impressions, clicks, conversions,
         conversion_revenue, spend, source_spend, metric_rows, refreshed_at)
    SELECT c.client_id, %(first_day)s::date + d, 'surfside', c.id,
           1000 + (c.id * 7 + d * 13) %% 500, 10, 1, 5, 15, 12, 1250, now()
    FROM campaigns_campaign c CROSS JOIN generate_series(0, %(days)s - 1) AS d
    WHERE c.client_id = %(client_id)s
"""


class Writer(Protocol):
    def write(self, text: str) -> Any: ...


def _percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def bench_pacing(stdout: Writer, *, days: int = 120, orders: int = 200, clients: int = 10) -> None:
    suffix = uuid.uuid4().hex[:8]
    seeded = [
        Client.objects.create(name=f"Bench pacing {suffix} {n}", slug=f"bench-pacing-{suffix}-{n}")
        for n in range(clients)
    ]
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    first_day = yesterday - dt.timedelta(days=days - 1)
    per_client = math.ceil(orders / clients)
    try:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for client in seeded:
                params: dict[str, Any] = {
                    "client_id": client.pk,
                    "campaigns": per_client * 2,
                    "first_day": first_day,
                    "days": days,
                }
                cursor.execute(_CAMPAIGNS_SQL, params)
                cursor.execute(_ROLLUPS_SQL, params)
            cursor.execute("ANALYZE metrics_campaigndayrollup, campaigns_campaign")
        made = []
        for client in seeded:
            campaign_ids = list(client.campaigns.order_by("pk").values_list("pk", flat=True))
            for n in range(per_client):
                order = InsertionOrder.objects.create(
                    client=client,
                    name=f"Order {n}",
                    start_date=first_day + dt.timedelta(days=n % 30),
                    end_date=yesterday + dt.timedelta(days=30),
                    contracted_impressions=5_000_000,
                    campaign_name_pattern="",
                )
                order.campaigns.set(campaign_ids[2 * n : 2 * n + 2])
                made.append(order)
        stdout.write(
            f"seeded {clients} clients, {len(made)} orders and "
            f"{clients * per_client * 2 * days:,} campaign-day rollups ({days} days) in "
            f"{time.perf_counter() - started:.1f} s\n"
        )
        scope = Client.objects.filter(pk__in=[client.pk for client in seeded])
        rows = pacing_panel(clients=scope, start=first_day, end=yesterday)
        if len(rows) != len(made) or not any(row.delivered for row in rows):
            raise RuntimeError("the panel does not see the seeded orders")
        samples = []
        for _ in range(CALLS):
            started = time.perf_counter()
            pacing_panel(clients=scope, start=first_day, end=yesterday)
            samples.append((time.perf_counter() - started) * 1000)
        p50, p95 = statistics.median(samples), _percentile(samples, 0.95)
        verdict = "ok" if p95 <= TARGET_MS else f"OVER the {TARGET_MS:.0f} ms target"
        stdout.write(
            f"pacing panel, {len(rows)} orders: {CALLS} calls  p50 {p50:7.1f} ms  "
            f"p95 {p95:7.1f} ms  {verdict}\n"
        )
    finally:
        with connection.cursor() as cursor:
            ids = [client.pk for client in seeded]
            cursor.execute("DELETE FROM metrics_campaigndayrollup WHERE client_id = ANY(%s)", [ids])
        Client.objects.filter(pk__in=[client.pk for client in seeded]).delete()
