"""``make bench``, pipeline part: a 50,000-row Surfside file through the real pipeline.

The floor (pandas ``read_csv`` plus ``COPY`` of the same rows into a plain table, the least any
loader of this file must do) and the pipeline run interleaved, A B A B, five pairs of each kind
(a first load of the day: plain insert; a re-load: upsert), so that whatever else the machine does
weighs on both alike. Prints the median of each with its min-max, the ratio of each pair, the
median of each stage, the XLSX parse of the same rows, and the peak memory of the process.
"""

from __future__ import annotations

import datetime as dt
import io
import resource
import statistics
import time
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from campaigns.models import Source
from clients.models import Client
from clients.services import client_create
from devtools.bench_dashboard import _DELETE_SQL, Writer, _execute
from ingestion.adapters.registry import parse_source_file
from ingestion.loader import copy_frame
from ingestion.pipeline import run_ingestion
from metrics.models import CampaignDayRollup, DailyMetric

BENCH_SLUG = "bench-pipeline"
ROWS = 50_000
PAIRS = 5
STAGES = ("parse", "validate", "stage", "price", "resolve", "load", "rollups", "commit")


def surfside_file(rows: int, day: dt.date, seed: int = 7, first_creative: int = 0) -> bytes:
    """A Surfside export of ``rows`` distinct creatives on one day, in the real file's format
    (creatives numbered from ``first_creative``: files of successive days share most of them)."""
    rng = np.random.default_rng(seed)
    numbers = np.arange(first_creative, first_creative + rows)
    impressions = rng.integers(1, 20_000, rows)
    frame = pd.DataFrame(
        {
            "Campaign": "Campaign " + (numbers % 20).astype(str),
            "Strategy Name": "Strategy " + (numbers % 20).astype(str),
            "Placement Name": "Placement\t| " + (numbers % 500).astype(str),
            "Creative Name": "Creative " + numbers.astype(str),
            "Creative Size": np.where(numbers % 2 == 0, "300x250", "728x90"),
            "Event Date": f"{day.month}/{day.day}/{day.year}",
            "Impressions": impressions,
            "Clicks": rng.integers(0, 40, rows),
            " Media Spend ": [f" $ {value:,.2f} " for value in impressions * 0.0055],
            "Conversions": rng.integers(0, 3, rows),
            "Conversion Value": rng.integers(0, 300, rows),
            " ROAS ": " $ -   ",
        }
    )
    return frame.to_csv(index=False).encode()


def _floor_seconds(content: bytes) -> float:
    """read_csv + COPY into a plain (temporary) table: the least any loader must do, with the
    same CSV writer the pipeline uses."""
    started = time.perf_counter()
    frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    frame.columns = [f"c{i}" for i in range(len(frame.columns))]
    with transaction.atomic():
        with connection.cursor() as cursor:
            columns = ", ".join(f"{name} text" for name in frame.columns)
            cursor.execute(f"CREATE TEMP TABLE bench_floor ({columns}) ON COMMIT DROP")
        copy_frame("COPY bench_floor FROM STDIN WITH (FORMAT csv)", frame)
    return time.perf_counter() - started


def bench_client(slug: str = BENCH_SLUG) -> Client:
    """A fresh throwaway client with a CPM of 15.00 from 2020 (any old one of the slug dropped)."""
    for old in Client.objects.filter(slug=slug):
        drop_client(old)
    return client_create(
        name=f"Benchmark client {slug}",
        slug=slug,
        cpm=Decimal("15.00"),
        cpm_effective_date=dt.date(2020, 1, 1),
        by=None,
    )


def drop_client(client: Client) -> None:
    """Everything the client owns, bottom up in SQL (no ORM cascade loads its creatives)."""
    _execute(
        [
            "DELETE FROM ingestion_stagingrow WHERE run_id IN "
            "(SELECT id FROM ingestion_ingestionrun WHERE client_id = %(client_id)s)",
            *_DELETE_SQL,
        ],
        {"client_id": client.pk},
    )
    client.delete()


def _vacuum() -> None:
    # Leave no bloat behind for the next measurement (or the demo) to wade through.
    _execute(
        [
            "VACUUM ANALYZE metrics_dailymetric, metrics_campaigndayrollup, campaigns_creative, "
            "ingestion_stagingrow"
        ],
        {},
    )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def spread(samples: list[float], unit: str = "s", scale: float = 1.0) -> str:
    """Median with min-max."""
    values = [value * scale for value in samples]
    return (
        f"{statistics.median(values):.3f} {unit} ({min(values):.3f}-{max(values):.3f})"
        if unit == "s"
        else f"{statistics.median(values):.1f} {unit} ({min(values):.1f}-{max(values):.1f})"
    )


def _timed_run(client: Client, content: bytes, file_name: str = "bench.csv") -> tuple[float, Any]:
    started = time.perf_counter()
    run = run_ingestion(client=client, source=Source.SURFSIDE, content=content, file_name=file_name)
    wall = time.perf_counter() - started
    if run.status != "success":
        raise RuntimeError(f"bench run ended {run.status}: {run.message}")
    return wall, run


def _xlsx_parse(content: bytes, client: Client, stdout: Writer) -> None:
    frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    workbook = buffer.getvalue()
    samples = []
    for _ in range(3):
        started = time.perf_counter()
        parse_source_file(
            source=Source.SURFSIDE, content=workbook, file_name="b.xlsx", client=client
        )
        samples.append(time.perf_counter() - started)
    stdout.write(
        f"  XLSX parse of the same {ROWS:,} rows ({len(workbook) / 1e6:.1f} MB, calamine): "
        f"{spread(samples)}, target <= 1.5 s\n"
    )


def bench_pipeline(stdout: Writer) -> None:
    day = timezone.localdate() - dt.timedelta(days=2)
    content = surfside_file(ROWS, day)
    stdout.write(
        f"Pipeline: {ROWS:,}-row Surfside file ({len(content) / 1e6:.1f} MB), one day, "
        f"{ROWS:,} distinct creatives; floor and pipeline interleaved, {PAIRS} pairs each\n"
    )
    rss_before = peak_rss_mb()
    results: dict[str, list[tuple[float, float, dict[str, float]]]] = {"first": [], "reload": []}
    client = bench_client()
    try:
        for _ in range(PAIRS):
            drop_client(client)
            _vacuum()
            client = bench_client()
            floor = _floor_seconds(content)
            wall, run = _timed_run(client, content)
            results["first"].append((floor, wall, run.timings))
            floor = _floor_seconds(content)
            wall, run = _timed_run(client, content)
            results["reload"].append((floor, wall, run.timings))
        for kind, label in (
            ("first", "first load of the day (plain INSERT)"),
            ("reload", "re-load of the same day (upsert, nothing changes)"),
        ):
            pairs = results[kind]
            floors = [pair[0] for pair in pairs]
            walls = [pair[1] for pair in pairs]
            ratios = [wall / floor for floor, wall, _ in pairs]
            stdout.write(f"  {label}\n")
            stdout.write(f"    floor    {spread(floors)}\n")
            stdout.write(f"    pipeline {spread(walls)}\n")
            stdout.write(
                f"    ratio per pair: {', '.join(f'{r:.1f}x' for r in ratios)}; median "
                f"{statistics.median(ratios):.1f}x (target <= 5x)\n"
            )
            stages = "  ".join(
                f"{stage} {statistics.median(p[2].get(stage, 0) for p in pairs):.3f}"
                for stage in STAGES
            )
            stdout.write(f"    stages (median s): {stages}\n")
        totals = DailyMetric.objects.filter(client=client).aggregate(impressions=Sum("impressions"))
        expected = int(pd.read_csv(io.BytesIO(content))["Impressions"].sum())
        stdout.write(
            f"  reconciled: {totals['impressions']:,} impressions (file: {expected:,}); rollup "
            f"rows {CampaignDayRollup.objects.filter(client=client).count()}\n"
        )
        stdout.write(
            f"  peak memory (max RSS of this process): {peak_rss_mb():.0f} MB "
            f"({rss_before:.0f} MB before the first ingest), target <= 400 MB\n"
        )
        _xlsx_parse(content, client, stdout)
    finally:
        drop_client(client)
        _vacuum()
