"""Dashboard read latency at a realistic volume, measured rather than guessed.

``bench_dashboard`` creates a throwaway client with 600,000 daily metric rows (30 days x 20,000
creatives under 40 campaigns), loads them set-based (``INSERT ... SELECT generate_series``) and
builds the rollups as the loader does, then calls the dashboard endpoints through the Django test
client with a real JWT, many times each, and prints p50/p95 latencies. The client and everything
it owns are deleted afterwards, even when a call fails.

Run against the configured database (the embedded one by default), never against the test suite.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any, Protocol

from django.db import connection
from django.test.utils import override_settings
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import Role, User
from campaigns.models import Source
from clients.models import Client, CpmRate
from ingestion.models import IngestionRun, RunStatus
from metrics.rollups import rollups_refresh

DAYS = 30
CAMPAIGNS = 40
STRATEGIES_PER_CAMPAIGN = 10
PLACEMENTS_PER_STRATEGY = 5
CREATIVES_PER_PLACEMENT = 10  # 40 x 10 x 5 x 10 = 20,000 creatives
CALLS = 50
TARGET_P95_MS = 150.0
CPM = Decimal("15.00")


class Writer(Protocol):
    def write(self, text: str) -> Any: ...


# Each level is inserted from the level above in one statement; every row carries the client id
# in its WHERE clause so that nothing outside the throwaway client is touched.
_SEED_SQL = [
    f"""
    INSERT INTO campaigns_campaign (client_id, source, name, created_at, updated_at)
    SELECT %(client_id)s, (ARRAY{list(Source.values)!r})[1 + n %% 3], 'Bench campaign ' || n,
           now(), now()
    FROM generate_series(1, {CAMPAIGNS}) AS n
    """,
    f"""
    INSERT INTO campaigns_strategy (campaign_id, name, created_at, updated_at)
    SELECT c.id, 'Strategy ' || n, now(), now()
    FROM campaigns_campaign c CROSS JOIN generate_series(1, {STRATEGIES_PER_CAMPAIGN}) AS n
    WHERE c.client_id = %(client_id)s
    """,
    f"""
    INSERT INTO campaigns_placement (strategy_id, name, created_at, updated_at)
    SELECT s.id, 'Placement ' || n, now(), now()
    FROM campaigns_strategy s JOIN campaigns_campaign c ON c.id = s.campaign_id
    CROSS JOIN generate_series(1, {PLACEMENTS_PER_STRATEGY}) AS n
    WHERE c.client_id = %(client_id)s
    """,
    f"""
    INSERT INTO campaigns_creative (placement_id, name, size, created_at, updated_at)
    SELECT p.id, 'Creative ' || n, (ARRAY['300x250', '728x90'])[1 + n %% 2], now(), now()
    FROM campaigns_placement p JOIN campaigns_strategy s ON s.id = p.strategy_id
    JOIN campaigns_campaign c ON c.id = s.campaign_id
    CROSS JOIN generate_series(1, {CREATIVES_PER_PLACEMENT}) AS n
    WHERE c.client_id = %(client_id)s
    """,
    # Deterministic, varied measures; spend is derived (the rollups price it).
    f"""
    INSERT INTO metrics_dailymetric
        (client_id, date, source, campaign_id, strategy_id, placement_id, creative_id,
         impressions, clicks, conversions, conversion_revenue, source_spend,
         created_at, updated_at)
    SELECT client_id, date, source, campaign_id, strategy_id, placement_id, creative_id,
           impressions, clicks, conversions, revenue, source_spend, now(), now()
    FROM (
        SELECT *
        FROM (
            SELECT *, clicks / 12 AS conversions, (clicks / 12) * 45.5 AS revenue,
                   round(impressions * 0.009, 6) AS source_spend
            FROM (
                SELECT c.client_id, %(first_day)s::date + d AS date, c.source,
                       c.id AS campaign_id, s.id AS strategy_id, p.id AS placement_id,
                       k.id AS creative_id,
                       1000 + (k.id * 7919 + d * 104729) %% 9000 AS impressions,
                       (k.id * 31 + d * 17) %% 60 AS clicks
                FROM campaigns_creative k
                JOIN campaigns_placement p ON p.id = k.placement_id
                JOIN campaigns_strategy s ON s.id = p.strategy_id
                JOIN campaigns_campaign c ON c.id = s.campaign_id
                CROSS JOIN generate_series(0, {DAYS - 1}) AS d
                WHERE c.client_id = %(client_id)s
            ) AS delivered
        ) AS converted
    ) AS measured
    """,
]

_ANALYZE_SQL = [
    f"ANALYZE {table}"
    for table in (
        "campaigns_campaign",
        "campaigns_strategy",
        "campaigns_placement",
        "campaigns_creative",
        "metrics_dailymetric",
        "metrics_campaigndayrollup",
        "ingestion_ingestionrun",
    )
]

# Bottom up, so no ORM cascade has to load 20,000 creatives into memory.
_DELETE_SQL = [
    "DELETE FROM metrics_dailymetric WHERE client_id = %(client_id)s",
    "DELETE FROM metrics_campaigndayrollup WHERE client_id = %(client_id)s",
    "DELETE FROM metrics_strategydayrollup WHERE client_id = %(client_id)s",
    "DELETE FROM metrics_placementdayrollup WHERE client_id = %(client_id)s",
    "DELETE FROM metrics_rollupchange WHERE client_id = %(client_id)s",
    "DELETE FROM metrics_repricing WHERE client_id = %(client_id)s",
    "DELETE FROM ingestion_ingestionrun WHERE client_id = %(client_id)s",
    """DELETE FROM campaigns_creative WHERE placement_id IN (
        SELECT p.id FROM campaigns_placement p JOIN campaigns_strategy s ON s.id = p.strategy_id
        JOIN campaigns_campaign c ON c.id = s.campaign_id WHERE c.client_id = %(client_id)s)""",
    """DELETE FROM campaigns_placement WHERE strategy_id IN (
        SELECT s.id FROM campaigns_strategy s JOIN campaigns_campaign c ON c.id = s.campaign_id
        WHERE c.client_id = %(client_id)s)""",
    """DELETE FROM campaigns_strategy WHERE campaign_id IN (
        SELECT id FROM campaigns_campaign WHERE client_id = %(client_id)s)""",
    "DELETE FROM campaigns_campaign WHERE client_id = %(client_id)s",
]


def _execute(statements: list[str], params: dict[str, Any]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement, params)


def _seed(client: Client, first_day: dt.date) -> None:
    """The hierarchy, the metric rows, their rollups and a month of successful runs."""
    CpmRate.objects.create(client=client, cpm=CPM, effective_date=first_day)
    _execute(_SEED_SQL, {"client_id": client.pk, "first_day": first_day, "cpm": CPM})
    rollups_refresh(client_id=client.pk, date_from=first_day, date_to=None)
    now = timezone.now()
    IngestionRun.objects.bulk_create(
        IngestionRun(
            client=client,
            source=source,
            status=RunStatus.SUCCESS,
            requested_date=first_day + dt.timedelta(days=offset),
            date_from=first_day + dt.timedelta(days=offset),
            date_to=first_day + dt.timedelta(days=offset),
            finished_at=now,
        )
        for offset in range(DAYS)
        for source in Source.values
    )
    _execute(_ANALYZE_SQL, {})


def _percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest sample at or above ``fraction`` of them."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def _measure(call: Callable[[], Any]) -> list[float]:
    call()  # warm up: imports, URL resolution, the database's caches
    samples = []
    for _ in range(CALLS):
        started = time.perf_counter()
        response = call()
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise RuntimeError(
                f"bench call failed with {response.status_code}: {response.content!r}"
            )
    return samples


def _check_sees_the_data(api: APIClient, stdout: Writer) -> None:
    """Timing endpoints that answer zeros would prove nothing: make sure they see the rows."""
    impressions = api.get("/api/v1/dashboard/summary").json()["impressions"]
    listed = api.get("/api/v1/campaigns").json()["count"]
    if not impressions or listed != CAMPAIGNS:
        raise RuntimeError(f"the API does not see the seeded data ({impressions=}, {listed=})")
    stdout.write(f"the default range holds {impressions:,} impressions in {listed} campaigns\n")


def bench_dashboard(stdout: Writer) -> None:
    """Seed 600,000 metric rows in a throwaway client, time the dashboard endpoints, clean up."""
    suffix = uuid.uuid4().hex[:8]
    client = Client.objects.create(name=f"Bench {suffix}", slug=f"bench-{suffix}")
    user: User | None = None
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    first_day = yesterday - dt.timedelta(days=DAYS - 1)
    try:
        started = time.perf_counter()
        _seed(client, first_day)
        rows = DAYS * CAMPAIGNS * STRATEGIES_PER_CAMPAIGN
        rows *= PLACEMENTS_PER_STRATEGY * CREATIVES_PER_PLACEMENT
        stdout.write(
            f"seeded {rows:,} daily metric rows ({first_day} to {yesterday}) and their rollups "
            f"in {time.perf_counter() - started:.1f} s\n"
        )
        user = User.objects.create_user(
            username=f"bench-{suffix}", role=Role.CLIENT, client=client, password=None
        )
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
        endpoints = {
            "dashboard/summary": "/api/v1/dashboard/summary",
            "dashboard/overview": "/api/v1/dashboard/overview",
            "campaigns": "/api/v1/campaigns",
        }
        # The test client's host, and no query log (DEBUG would keep every SQL string).
        with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
            _check_sees_the_data(api, stdout)
            for name, path in endpoints.items():
                samples = _measure(partial(api.get, path))
                p50, p95 = statistics.median(samples), _percentile(samples, 0.95)
                verdict = (
                    "ok" if p95 <= TARGET_P95_MS else f"OVER the {TARGET_P95_MS:.0f} ms target"
                )
                stdout.write(
                    f"{name:<20} {CALLS} calls  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  {verdict}\n"
                )
    finally:
        if user is not None:
            user.delete()
        _execute(_DELETE_SQL, {"client_id": client.pk})
        client.delete()
        # 600,000 deleted rows would slow every later load until autovacuum passes.
        _execute(["VACUUM ANALYZE metrics_dailymetric, metrics_campaigndayrollup"], {})
