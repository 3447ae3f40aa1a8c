"""Nightly retention at scale: what a night costs when the table holds a client-year of detail.

``bench_retention`` creates a throwaway client with ``days`` x ``rows_per_day`` daily metric rows
(50,000 creatives, each delivering every day, ending yesterday), set-based like
``bench_dashboard``, then times, ``repeats`` times each (median, min-max):

* the nightly run with nothing to archive (``retention_run``: purges, among them an ingestion run
  past its age that wrote rows of the table, and the expired-month check);
* what the same night cost before partitions, on the same rows: the ``SET NULL`` scan of the
  metrics that purging a run did, and a month deleted row by row (both rolled back);
* archiving the first month that starts inside the seeded days (``archive_month``: COPY to
  gzipped CSV, then DETACH and DROP), once: it is the month's work, not the table's.

The client and everything it owns are deleted afterwards. Run against the configured database
(the embedded one by default), never against the test suite. ``manage.py bench --only
retention`` calls it; ``days`` is the scale (``bench --days``).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from campaigns.models import Source
from clients.models import Client, CpmRate
from devtools.bench_dashboard import _DELETE_SQL, Writer
from ingestion.models import IngestionRun, RunStatus
from metrics.models import ArchivedMonth
from metrics.partitions import next_month, partition_month, partitions_ensure
from metrics.rollups import rollups_refresh
from operations import retention
from reports.models import MetricArchive

CAMPAIGNS = 40
STRATEGIES_PER_CAMPAIGN = 10
PLACEMENTS_PER_STRATEGY = 5
CPM = Decimal("15.00")

_SEED_SQL = [
    f"""
    INSERT INTO campaigns_campaign (client_id, source, name, created_at, updated_at)
    SELECT %(client_id)s, '{Source.SURFSIDE.value}', 'Bench campaign ' || n, now(), now()
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
    """
    INSERT INTO campaigns_creative (placement_id, name, size, created_at, updated_at)
    SELECT p.id, 'Creative ' || n, '300x250', now(), now()
    FROM campaigns_placement p JOIN campaigns_strategy s ON s.id = p.strategy_id
    JOIN campaigns_campaign c ON c.id = s.campaign_id
    CROSS JOIN generate_series(1, %(per_placement)s) AS n
    WHERE c.client_id = %(client_id)s
    """,
]
# One day at a time: the rows are written in date order, as daily loads write them. The columns
# every version of the table has (spend is derived, not stored); any other column that needs a
# value (the per-row columns a later migration drops) gets 0 (``_legacy_columns``).
_DAY_SQL = """
    INSERT INTO metrics_dailymetric
        (client_id, date, source, campaign_id, strategy_id, placement_id, creative_id,
         impressions, clicks, conversions, conversion_revenue, source_spend, ingestion_run_id,
         created_at, updated_at{legacy_columns})
    SELECT c.client_id, %(day)s, c.source, c.id, s.id, p.id, k.id,
           1000 + (k.id * 7919 + %(offset)s * 104729) %% 9000,
           (k.id * 31 + %(offset)s * 17) %% 60, 1, 45.5, 9.5, %(run_id)s, now(), now()
           {legacy_zeros}
    FROM campaigns_creative k
    JOIN campaigns_placement p ON p.id = k.placement_id
    JOIN campaigns_strategy s ON s.id = p.strategy_id
    JOIN campaigns_campaign c ON c.id = s.campaign_id
    WHERE c.client_id = %(client_id)s
"""
_SET_NULL_SQL = (
    "UPDATE metrics_dailymetric SET ingestion_run_id = NULL WHERE ingestion_run_id IN (%(run_id)s)"
)
_DELETE_MONTH_SQL = """
    DELETE FROM metrics_dailymetric
    WHERE client_id = %(client_id)s AND date >= %(first)s AND date < %(following)s
"""


_WRITTEN = {
    "id",
    "client_id",
    "date",
    "source",
    "campaign_id",
    "strategy_id",
    "placement_id",
    "creative_id",
    "impressions",
    "clicks",
    "conversions",
    "conversion_revenue",
    "source_spend",
    "ingestion_run_id",
    "created_at",
    "updated_at",
}


def _day_sql() -> str:
    """``_DAY_SQL`` with a 0 for each NOT NULL column without a default that it does not name."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT column_name FROM information_schema.columns
            WHERE table_name = 'metrics_dailymetric' AND is_nullable = 'NO'
              AND column_default IS NULL
            ORDER BY ordinal_position
            """
        )
        legacy = [row[0] for row in cursor.fetchall() if row[0] not in _WRITTEN]
    return _DAY_SQL.format(
        legacy_columns="".join(f", {column}" for column in legacy),
        legacy_zeros="".join(", 0" for _ in legacy),
    )


class _RolledBack(Exception):
    pass


def _timed(func: Callable[[], Any], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return times


def _rolled_back(sql: str, params: dict[str, Any]) -> Callable[[], None]:
    def run() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, params)
                raise _RolledBack
        except _RolledBack:
            pass

    return run


def _line(stdout: Writer, label: str, times: list[float]) -> None:
    stdout.write(
        f"  {label:<58} median {statistics.median(times):7.3f} s  "
        f"(min {min(times):.3f} - max {max(times):.3f}, n={len(times)})"
    )


def _night(day: dt.date) -> None:
    """What ``operations.tasks.retention_run`` does, without queueing the months it finds."""
    retention.purge_expired(day=day)
    retention.expired_months(day=day)


def _old_run(client: Client, days_ago: int) -> IngestionRun:
    run = IngestionRun.objects.create(
        client=client, source=Source.SURFSIDE, status=RunStatus.SUCCESS
    )
    IngestionRun.objects.filter(pk=run.pk).update(
        started_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    return run


def bench_retention(
    stdout: Writer, *, days: int = 120, rows_per_day: int = 50_000, repeats: int = 5
) -> None:
    per_placement = max(1, rows_per_day // (CAMPAIGNS * STRATEGIES_PER_CAMPAIGN * 5))
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    first_day = yesterday - dt.timedelta(days=days - 1)
    client = Client.objects.create(name=f"Bench retention {uuid.uuid4().hex[:8]}")
    CpmRate.objects.create(client=client, cpm=CPM, effective_date=dt.date(2020, 1, 1))
    params: dict[str, Any] = {"client_id": client.pk, "per_placement": per_placement}
    try:
        stdout.write(
            f"Retention: {days} days x {rows_per_day:,} rows (one client), ending {yesterday}"
        )
        started = time.perf_counter()
        partitions_ensure(today=first_day, months_ahead=days // 28 + 2)
        run = _old_run(client, days_ago=1)  # the run that wrote the rows, purged later
        day_sql = _day_sql()
        with connection.cursor() as cursor:
            for sql in _SEED_SQL:
                cursor.execute(sql, params)
            # Fresh tables have no statistics: without them the planner may join the hierarchy
            # by nested loops, and each day's insert took minutes instead of milliseconds.
            cursor.execute(
                "ANALYZE campaigns_campaign, campaigns_strategy, campaigns_placement, "
                "campaigns_creative"
            )
            for offset in range(days):
                day = first_day + dt.timedelta(days=offset)
                cursor.execute(day_sql, {**params, "day": day, "offset": offset, "run_id": run.pk})
            cursor.execute("ANALYZE metrics_dailymetric")
        rollups_refresh(client_id=client.pk, date_from=first_day, date_to=yesterday)
        total = days * per_placement * CAMPAIGNS * STRATEGIES_PER_CAMPAIGN * PLACEMENTS_PER_STRATEGY
        stdout.write(f"  seeded {total:,} rows in {time.perf_counter() - started:.1f} s")

        # A night with nothing to archive; each repeat has a run past its age to purge, the
        # first of them the one that wrote every row of the table.
        IngestionRun.objects.filter(pk=run.pk).update(
            started_at=timezone.now() - dt.timedelta(days=100)
        )
        nights = []
        for repeat in range(repeats):
            if repeat:
                _old_run(client, days_ago=100)
            nights += _timed(lambda: _night(yesterday), 1)
        _line(stdout, "nightly retention, nothing to archive (after)", nights)

        other = _old_run(client, days_ago=1)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE metrics_dailymetric SET ingestion_run_id = %s WHERE date = %s",
                [other.pk, yesterday],
            )
        _line(
            stdout,
            "before: SET NULL scan of a purged run's rows (rolled back)",
            _timed(_rolled_back(_SET_NULL_SQL, {"run_id": other.pk}), repeats),
        )
        # The first whole month of the seeded days.
        oldest = first_day if first_day.day == 1 else next_month(first_day.replace(day=1))
        following = next_month(oldest)
        _line(
            stdout,
            f"before: DELETE of {oldest:%Y-%m} row by row (rolled back)",
            _timed(
                _rolled_back(
                    _DELETE_MONTH_SQL, {**params, "first": oldest, "following": following}
                ),
                repeats,
            ),
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*), count(*) FILTER (WHERE client_id <> %s) FROM metrics_dailymetric "
                "WHERE date >= %s AND date < %s",
                [client.pk, oldest, following],
            )
            month_rows, others = cursor.fetchone()
        if others or not month_rows:  # archiving drops the month for every client
            stdout.write(f"  archive {oldest:%Y-%m} skipped: other clients' rows, or none seeded")
        else:
            started = time.perf_counter()
            archives = retention.archive_month(month=oldest)
            spent = time.perf_counter() - started
            stdout.write(
                f"  archive {oldest:%Y-%m} ({month_rows:,} rows, {len(archives)} file): "
                f"{spent:.2f} s, COPY + gzip + DETACH/DROP ({month_rows / spent:,.0f} rows/s)"
            )
            # The month was the bench's alone: it is not archived for the real clients.
            ArchivedMonth.objects.filter(month=oldest).delete()
            partition_month(oldest)
    finally:
        _cleanup(client.pk)


def _cleanup(client_id: int) -> None:
    for archive in MetricArchive.objects.filter(client_id=client_id):
        default_storage.delete(archive.file_name)
    MetricArchive.objects.filter(client_id=client_id).delete()
    with connection.cursor() as cursor:
        for sql in _DELETE_SQL:
            cursor.execute(sql, {"client_id": client_id})
    Client.objects.filter(pk=client_id).delete()
