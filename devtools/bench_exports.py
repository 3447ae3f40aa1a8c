"""Exports at a client-month, measured against the floor of the database copying the same rows.

``bench_exports`` seeds a throwaway client with ``creatives`` x ``days`` daily metric rows (50,000
creatives x 30 days = 1.5M rows by default) and two CPM rates (the second from mid-range, so
spend is priced from two periods), then, interleaved ``runs`` times:

- the floor: ``COPY (SELECT <the metric rows' own columns> ...) TO STDOUT WITH CSV HEADER`` of
  the same rows, read through psycopg and thrown away; also the COPY of the whole rows
  (``SELECT *``) and of a table holding exactly the export's output (what writing those bytes
  costs at least);
- the CSV export through the API (the inline path, streamed), read to the end.

It prints each one's median and min-max and the ratio per pair, then times an XLSX export of
the last 7 days. The client and everything it owns are deleted afterwards.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone
from psycopg import sql
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import Role, User
from clients.models import Client, CpmRate
from devtools.bench_dashboard import _DELETE_SQL, Writer, _execute
from metrics.formulas import sql_spend
from metrics.models import DailyMetric
from metrics.periods import DateRange
from metrics.rollups import rollups_refresh
from reports.export_sql import ExportQuery, Grain
from reports.selectors import export_columns

CAMPAIGNS = 50
STRATEGIES_PER_CAMPAIGN = 10
PLACEMENTS_PER_STRATEGY = 10
CPM_BEFORE, CPM_AFTER = Decimal("15.00"), Decimal("17.25")
# Per-row columns a colleague is removing; written (priced) only while the table has them.
_LEGACY_PRICED = ("spend", "ctr", "cpc", "cpa", "roas")


def _seed_sql(creatives_per_placement: int, days: int) -> list[str]:
    columns = {field.column for field in DailyMetric._meta.concrete_fields}
    legacy = [name for name in _LEGACY_PRICED if name in columns]
    legacy_values = [
        sql_spend("impressions", "%(cpm)s") if name == "spend" else "0" for name in legacy
    ]
    extra_columns = "".join(f", {name}" for name in legacy)
    extra_values = "".join(f", {value}" for value in legacy_values)
    return [
        """
        INSERT INTO campaigns_campaign (client_id, source, name, created_at, updated_at)
        SELECT %(client_id)s, 'surfside', 'Export campaign ' || n, now(), now()
        FROM generate_series(1, %(campaigns)s) AS n
        """,
        """
        INSERT INTO campaigns_strategy (campaign_id, name, created_at, updated_at)
        SELECT c.id, 'Strategy ' || n, now(), now()
        FROM campaigns_campaign c CROSS JOIN generate_series(1, %(strategies)s) AS n
        WHERE c.client_id = %(client_id)s
        """,
        """
        INSERT INTO campaigns_placement (strategy_id, name, created_at, updated_at)
        SELECT s.id, 'Placement ' || n, now(), now()
        FROM campaigns_strategy s JOIN campaigns_campaign c ON c.id = s.campaign_id
        CROSS JOIN generate_series(1, %(placements)s) AS n
        WHERE c.client_id = %(client_id)s
        """,
        """
        INSERT INTO campaigns_creative (placement_id, name, size, created_at, updated_at)
        SELECT p.id, 'Creative ' || n, (ARRAY['300x250', '728x90'])[1 + n %% 2], now(), now()
        FROM campaigns_placement p JOIN campaigns_strategy s ON s.id = p.strategy_id
        JOIN campaigns_campaign c ON c.id = s.campaign_id
        CROSS JOIN generate_series(1, %(creatives)s) AS n
        WHERE c.client_id = %(client_id)s
        """,
        f"""
        INSERT INTO metrics_dailymetric
            (client_id, date, source, campaign_id, strategy_id, placement_id, creative_id,
             impressions, clicks, conversions, conversion_revenue, source_spend,
             created_at, updated_at{extra_columns})
        SELECT client_id, date, source, campaign_id, strategy_id, placement_id, creative_id,
               impressions, clicks, clicks / 12, (clicks / 12) * 45.5,
               round(impressions * 0.009, 6), now(), now(){extra_values}
        FROM (
            SELECT c.client_id, %(first_day)s::date + d AS date, c.source,
                   c.id AS campaign_id, s.id AS strategy_id, p.id AS placement_id,
                   k.id AS creative_id,
                   1000 + (k.id * 7919 + d * 104729) %% 9000 AS impressions,
                   (k.id * 31 + d * 17) %% 60 AS clicks,
                   CASE WHEN d < %(change_offset)s THEN %(cpm_before)s
                        ELSE %(cpm_after)s END AS cpm
            FROM campaigns_creative k
            JOIN campaigns_placement p ON p.id = k.placement_id
            JOIN campaigns_strategy s ON s.id = p.strategy_id
            JOIN campaigns_campaign c ON c.id = s.campaign_id
            CROSS JOIN generate_series(0, {days - 1}) AS d
            WHERE c.client_id = %(client_id)s
        ) AS delivered
        """.replace("%(cpm)s", "cpm"),
        "ANALYZE campaigns_campaign, campaigns_strategy, campaigns_placement, campaigns_creative",
        "ANALYZE metrics_dailymetric, metrics_campaigndayrollup",
    ]


_FLOOR_SQL = """
    COPY (
        SELECT date, client_id, source, campaign_id, strategy_id, placement_id, creative_id,
               impressions, clicks, conversions, conversion_revenue, source_spend
        FROM metrics_dailymetric
        WHERE client_id = {client_id} AND date BETWEEN '{start}' AND '{end}'
    ) TO STDOUT WITH (FORMAT csv, HEADER true)
"""


def _floor(client_id: int, start: dt.date, end: dt.date) -> int:
    """Bytes of the bare copy of the range's metric rows."""
    connection.ensure_connection()
    copied = 0
    statement = _FLOOR_SQL.format(client_id=int(client_id), start=start, end=end)
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        for data in copy:
            copied += len(data)
    return copied


def _materialize_output(client_id: int, start: dt.date, end: dt.date) -> str:
    """The export's exact rows (names, priced spend, rates) stored in a table of their own, so
    that copying them out measures the least writing those bytes costs."""
    table = f"export_bench_output_{uuid.uuid4().hex[:8]}"
    query = ExportQuery(
        client_ids=(client_id,),
        date_range=DateRange(start, end),
        source=None,
        grain=Grain.CREATIVE_DAY,
    )
    columns = export_columns(with_cost=False)
    with transaction.atomic(), connection.connection.cursor() as cursor:
        for index, (select, params) in enumerate(query.statements(columns, cursor)):
            prefix = f"CREATE UNLOGGED TABLE {table} AS " if index == 0 else f"INSERT INTO {table} "
            cursor.execute(sql.SQL(prefix + select), params)
    return table


def _copy_out(statement: str) -> int:
    connection.ensure_connection()
    copied = 0
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        for data in copy:
            copied += len(data)
    return copied


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


def _spread(samples: list[float]) -> str:
    return (
        f"median {statistics.median(samples):6.2f} s (min {min(samples):.2f}, "
        f"max {max(samples):.2f})"
    )


def _download(api: APIClient, path: str) -> int:
    response: Any = api.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"export failed with {response.status_code}: {response.content!r}")
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.getvalue())


def bench_exports(
    stdout: Writer,
    *,
    creatives: int = 50_000,
    days: int = 30,
    runs: int = 5,
    xlsx_days: int = 7,
    xlsx_runs: int = 1,
) -> None:
    """Seed ``creatives`` x ``days`` rows in a throwaway client, time CSV against the COPY floor
    (interleaved, ``runs`` pairs) and an XLSX of ``xlsx_days``, clean up."""
    suffix = uuid.uuid4().hex[:8]
    client = Client.objects.create(name=f"Export bench {suffix}", slug=f"export-bench-{suffix}")
    user: User | None = None
    output_table = ""
    end = timezone.localdate() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=days - 1)
    placements = CAMPAIGNS * STRATEGIES_PER_CAMPAIGN * PLACEMENTS_PER_STRATEGY
    per_placement = max(1, creatives // placements)
    try:
        seconds, _ = _timed(lambda: _seed(client, start, days, per_placement))
        rows = DailyMetric.objects.filter(client=client).count()
        stdout.write(f"seeded {rows:,} daily metric rows ({start} to {end}) in {seconds:.1f} s\n")
        user = User.objects.create_user(
            username=f"export-bench-{suffix}", role=Role.CLIENT, client=client, password=None
        )
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
        csv_path = f"/api/v1/exports/csv?start_date={start}&end_date={end}"
        floors: list[float] = []
        wholes: list[float] = []
        outputs: list[float] = []
        exports: list[float] = []
        output_table = _materialize_output(client.pk, start, end)
        whole_rows = (
            f"COPY (SELECT * FROM metrics_dailymetric WHERE client_id = {int(client.pk)} "
            f"AND date BETWEEN '{start}' AND '{end}') TO STDOUT WITH (FORMAT csv, HEADER true)"
        )
        with override_settings(
            ALLOWED_HOSTS=["testserver"], DEBUG=False, EXPORT_INLINE_MAX_ROWS=10**9
        ):
            for run in range(1, runs + 1):
                floor, floor_bytes = _timed(lambda: _floor(client.pk, start, end))
                whole, whole_bytes = _timed(lambda: _copy_out(whole_rows))
                output, output_bytes = _timed(
                    lambda: _copy_out(
                        f"COPY {output_table} TO STDOUT WITH (FORMAT csv, HEADER true)"
                    )
                )
                export, export_bytes = _timed(lambda: _download(api, csv_path))
                for samples, value in ((floors, floor), (wholes, whole), (outputs, output)):
                    samples.append(value)
                exports.append(export)
                stdout.write(
                    f"  run {run}: COPY of the rows' columns {floor:6.2f} s "
                    f"({floor_bytes / 1e6:.0f} MB), of whole rows {whole:6.2f} s "
                    f"({whole_bytes / 1e6:.0f} MB), of the export's output {output:6.2f} s "
                    f"({output_bytes / 1e6:.0f} MB); CSV export {export:6.2f} s "
                    f"({export_bytes / 1e6:.0f} MB): {export / floor:.2f}x / "
                    f"{export / whole:.2f}x / {export / output:.2f}x\n"
                )
            for name, samples in (
                ("COPY floor: the rows' own columns", floors),
                ("COPY of whole rows (SELECT *)", wholes),
                ("COPY of the export's output", outputs),
                ("CSV export", exports),
            ):
                stdout.write(f"{name:<36} ({rows:,} rows)  {_spread(samples)}\n")
            for name, samples in (
                ("the rows' own columns", floors),
                ("whole rows", wholes),
                ("the export's output", outputs),
            ):
                ratios = [export / base for base, export in zip(samples, exports, strict=True)]
                stdout.write(
                    f"CSV / COPY of {name}: median {statistics.median(ratios):.2f}x "
                    f"(min {min(ratios):.2f}x, max {max(ratios):.2f}x); target <= 2x\n"
                )
            xlsx_start = end - dt.timedelta(days=xlsx_days - 1)
            xlsx_rows = DailyMetric.objects.filter(client=client, date__gte=xlsx_start).count()
            xlsx_path = f"/api/v1/exports/xlsx?start_date={xlsx_start}&end_date={end}"
            samples = [_timed(lambda: _download(api, xlsx_path))[0] for _ in range(xlsx_runs)]
            stdout.write(
                f"XLSX export ({xlsx_rows:,} rows, {xlsx_days} days)  {_spread(samples)}\n"
            )
    finally:
        _execute([f"DROP TABLE IF EXISTS {output_table}"] if output_table else [], {})
        if user is not None:
            user.delete()
        _execute(_DELETE_SQL, {"client_id": client.pk})
        CpmRate.objects.filter(client=client).delete()
        client.delete()
        _execute(["VACUUM ANALYZE metrics_dailymetric, metrics_campaigndayrollup"], {})


def _seed(client: Client, start: dt.date, days: int, per_placement: int) -> None:
    change = start + dt.timedelta(days=days // 2)
    CpmRate.objects.create(client=client, cpm=CPM_BEFORE, effective_date=start)
    CpmRate.objects.create(client=client, cpm=CPM_AFTER, effective_date=change)
    params = {
        "client_id": client.pk,
        "first_day": start,
        "campaigns": CAMPAIGNS,
        "strategies": STRATEGIES_PER_CAMPAIGN,
        "placements": PLACEMENTS_PER_STRATEGY,
        "creatives": per_placement,
        "change_offset": days // 2,
        "cpm_before": CPM_BEFORE,
        "cpm_after": CPM_AFTER,
    }
    statements = _seed_sql(per_placement, days)
    _execute(statements[:-2], params)
    rollups_refresh(client_id=client.pk, date_from=start, date_to=None)
    _execute(statements[-2:], {})
