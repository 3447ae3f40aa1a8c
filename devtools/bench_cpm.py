"""A CPM change and the lists below campaigns at a client-year's scale, measured.

``bench_cpm`` creates a throwaway client with ``days`` x ``rows_per_day`` daily metric rows (40
campaigns x 10 strategies x 5 placements, the creatives under them delivering every day), loads
them set-based and builds the rollups as the loader does, then measures:

* a CPM change dated ``days`` ago: the request (rate saved, re-pricing queued) and the queued task
  (the rollups of the governed days re-priced), each a few times, median and min-max; the task's
  time is what a user waits for the new figures (plus the worker's poll);
* the strategy, placement and creative lists of the last 30 days without a parent filter (the
  first page and its count, as the API asks for them), p50 and p95.

Run against the configured database (the embedded one by default), never against the test suite;
everything it created is deleted afterwards, even when a step fails.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol

from django.db import connection, transaction
from django.utils import timezone

from campaigns.models import Source
from clients.models import Client, ClientStatus, CpmRate
from metrics.cpm import cpm_rate_change
from metrics.models import Repricing
from metrics.periods import DateRange
from metrics.repricing import repricing_perform
from metrics.rollups import rollups_refresh
from metrics.selectors.hierarchy import (
    CREATIVES,
    PLACEMENTS,
    STRATEGIES,
    HierarchyLevel,
    performance_rows,
    with_identity,
)

CAMPAIGNS = 40
STRATEGIES_PER_CAMPAIGN = 10
PLACEMENTS_PER_STRATEGY = 5
PAGE = 25


class Writer(Protocol):
    def write(self, text: str) -> Any: ...


def _seed_sql(creatives_per_placement: int) -> list[str]:
    return [
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
        SELECT p.id, 'Creative ' || n, '300x250', now(), now()
        FROM campaigns_placement p JOIN campaigns_strategy s ON s.id = p.strategy_id
        JOIN campaigns_campaign c ON c.id = s.campaign_id
        CROSS JOIN generate_series(1, {creatives_per_placement}) AS n
        WHERE c.client_id = %(client_id)s
        """,
    ]


# One day at a time, so no statement holds millions of rows in memory at once.
_DAY_SQL = """
    INSERT INTO metrics_dailymetric
        (client_id, date, source, campaign_id, strategy_id, placement_id, creative_id,
         impressions, clicks, conversions, conversion_revenue, source_spend,
         created_at, updated_at)
    SELECT c.client_id, %(day)s::date, c.source, c.id, s.id, p.id, k.id,
           1000 + (k.id * 7919 + %(offset)s * 104729) %% 9000,
           (k.id * 31 + %(offset)s * 17) %% 60, (k.id * 31 + %(offset)s * 17) %% 60 / 12,
           ((k.id * 31 + %(offset)s * 17) %% 60 / 12) * 45.5, NULL, now(), now()
    FROM campaigns_creative k
    JOIN campaigns_placement p ON p.id = k.placement_id
    JOIN campaigns_strategy s ON s.id = p.strategy_id
    JOIN campaigns_campaign c ON c.id = s.campaign_id
    WHERE c.client_id = %(client_id)s
"""

_DELETE_SQL = [
    f"DELETE FROM {table} WHERE client_id = %(client_id)s"
    for table in (
        "metrics_dailymetric",
        "metrics_campaigndayrollup",
        "metrics_strategydayrollup",
        "metrics_placementdayrollup",
        "metrics_rollupchange",
        "metrics_repricing",
        "clients_cpmrate",
    )
] + [
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


def _seed(client: Client, first_day: dt.date, days: int, rows_per_day: int, out: Writer) -> None:
    per_placement = max(1, rows_per_day // (CAMPAIGNS * STRATEGIES_PER_CAMPAIGN * 5))
    CpmRate.objects.create(client=client, cpm=Decimal("15.00"), effective_date=first_day)
    _execute(_seed_sql(per_placement), {"client_id": client.pk})
    started = time.perf_counter()
    for offset in range(days):
        day = first_day + dt.timedelta(days=offset)
        with transaction.atomic():
            _execute([_DAY_SQL], {"client_id": client.pk, "day": day, "offset": offset})
            rollups_refresh(client_id=client.pk, date_from=day, date_to=day)
        if offset % 10 == 9:
            out.write(f"  seeded {offset + 1} days ({time.perf_counter() - started:.0f} s)\n")
    _execute(
        [
            "ANALYZE metrics_dailymetric, metrics_campaigndayrollup, metrics_strategydayrollup, "
            "metrics_placementdayrollup, campaigns_creative, campaigns_placement"
        ],
        {},
    )


def _timed(call: Callable[[], Any]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _spread(samples: list[float], unit: str = "s", scale: float = 1.0) -> str:
    values = [sample * scale for sample in samples]
    return (
        f"median {statistics.median(values):.3f} {unit} "
        f"(min {min(values):.3f}, max {max(values):.3f}, n={len(values)})"
    )


def _reprice_once(client: Client, rate: CpmRate, cpm: Decimal) -> tuple[float, float]:
    """The request (rate changed, re-pricing recorded; queuing happens at commit) and the
    worker's re-pricing, timed apart."""
    request = _timed(lambda: cpm_rate_change(rate=rate, cpm=cpm, by=None))
    job = Repricing.objects.filter(client=client).order_by("-id").first()
    assert job is not None
    task = _timed(lambda: repricing_perform(repricing_id=job.pk))
    job.refresh_from_db()
    assert job.status == "done" and not job.message.startswith("0 "), job.message
    return request, task


def _list_latency(level: HierarchyLevel, client: Client, date_range: DateRange) -> list[float]:
    clients = Client.objects.filter(pk=client.pk)

    def page() -> None:
        rows = list(performance_rows(level, clients=clients, date_range=date_range)[:PAGE])
        assert rows and rows[0]["full_count"] > 0
        with_identity(level, rows)

    page()  # warm the caches
    return [_timed(page) for _ in range(7)]


def bench_cpm(
    *, days: int = 91, rows_per_day: int = 50_000, runs: int = 3, stdout: Writer
) -> dict[str, list[float]]:
    """Seed, measure, clean up; prints and returns the samples (seconds)."""
    today = timezone.localdate()
    first_day = today - dt.timedelta(days=days)
    client = Client.objects.create(
        name=f"Bench CPM {uuid.uuid4().hex[:8]}",
        slug=f"bench-cpm-{uuid.uuid4().hex[:8]}",
        status=ClientStatus.DISABLED,
    )
    results: dict[str, list[float]] = {}
    try:
        stdout.write(f"seeding {days} days x ~{rows_per_day:,} rows\n")
        _seed(client, first_day, days, rows_per_day, stdout)
        client_rows = _count(client)
        stdout.write(f"  {client_rows:,} daily metric rows\n")
        rate = CpmRate.objects.get(client=client)
        requests, tasks = [], []
        for run in range(runs):
            request, task = _reprice_once(client, rate, Decimal("15.00") + run + 1)
            requests.append(request)
            tasks.append(task)
        results.update(cpm_request=requests, cpm_task=tasks)
        stdout.write(
            f"CPM change over {days} days ({client_rows:,} rows): request {_spread(requests)}; "
            f"re-pricing task {_spread(tasks)}\n"
        )
        last_30 = DateRange(today - dt.timedelta(days=30), today - dt.timedelta(days=1))
        for name, level in (
            ("strategies", STRATEGIES),
            ("placements", PLACEMENTS),
            ("creatives", CREATIVES),
        ):
            samples = _list_latency(level, client, last_30)
            results[name] = samples
            stdout.write(f"{name} list, 30 days, no parent: {_spread(samples, 'ms', 1000)}\n")
    finally:
        _execute(_DELETE_SQL, {"client_id": client.pk})
        client.delete()
    return results


def _count(client: Client) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM metrics_dailymetric WHERE client_id = %s", [client.pk])
        (count,) = cursor.fetchone()
    return int(count)
