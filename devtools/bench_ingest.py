"""``make bench``, pipeline part: a 50,000-row Surfside file through the real pipeline.

Prints the time of each stage, the total (without process start-up), peak memory, and the ratio
of the total to a floor measured in the same run: pandas ``read_csv`` plus ``COPY`` of the same rows
into a plain table, the least any loader of this file must do.
"""

from __future__ import annotations

import datetime as dt
import io
import resource
import time
from decimal import Decimal

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from campaigns.models import Campaign, Source
from clients.models import Client
from clients.services import client_create
from devtools.bench_dashboard import Writer
from ingestion.loader import copy_frame
from ingestion.models import IngestionRun
from ingestion.pipeline import run_ingestion
from metrics.models import CampaignDayRollup, DailyMetric

BENCH_SLUG = "bench-pipeline"
ROWS = 50_000


def surfside_file(rows: int, day: dt.date, seed: int = 7) -> bytes:
    """A Surfside export of ``rows`` distinct creatives on one day, in the real file's format."""
    rng = np.random.default_rng(seed)
    numbers = np.arange(rows)
    impressions = rng.integers(1, 20_000, rows)
    frame = pd.DataFrame(
        {
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


def _client() -> Client:
    Client.objects.filter(slug=BENCH_SLUG).delete()
    return client_create(
        name="Benchmark client",
        slug=BENCH_SLUG,
        cpm=Decimal("15.00"),
        cpm_effective_date=dt.date(2020, 1, 1),
        by=None,
    )


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_pipeline(stdout: Writer) -> None:
    day = timezone.localdate() - dt.timedelta(days=2)
    content = surfside_file(ROWS, day)
    client = _client()
    try:
        floor = min(_floor_seconds(content) for _ in range(3))
        stdout.write(
            f"Pipeline: {ROWS:,}-row Surfside file ({len(content) / 1e6:.1f} MB), one day, "
            f"{ROWS:,} distinct creatives\n"
        )
        stdout.write(f"  floor (read_csv + COPY into a plain table): {floor:.3f} s\n")
        header = "  {:<22}" + "{:>9}" * 9 + "\n"
        stdout.write(
            header.format(
                "run",
                "parse",
                "validate",
                "stage",
                "price",
                "resolve",
                "load",
                "commit",
                "total",
                "x floor",
            )
        )
        for label in ("first load", "re-load (all conflict)"):
            started = time.perf_counter()
            run = run_ingestion(
                client=client, source=Source.SURFSIDE, content=content, file_name="bench.csv"
            )
            wall = time.perf_counter() - started
            timings = run.timings
            stdout.write(
                header.format(
                    label,
                    *(
                        f"{timings.get(stage, 0):.3f}"
                        for stage in (
                            "parse",
                            "validate",
                            "stage",
                            "price",
                            "resolve",
                            "load",
                            "commit",
                        )
                    ),
                    f"{wall:.3f}",
                    f"{wall / floor:.1f}x",
                )
            )
            if run.status != "success":
                stdout.write(f"  run ended {run.status}: {run.message}\n")
        totals = DailyMetric.objects.filter(client=client).aggregate(impressions=Sum("impressions"))
        # Spend is derived (SPEC 4): the rollups hold it per day.
        totals |= CampaignDayRollup.objects.filter(client=client).aggregate(spend=Sum("spend"))
        expected_spend = Decimal(int(pd.read_csv(io.BytesIO(content))["Impressions"].sum())) * 15
        stdout.write(
            f"  reconciled: {totals['impressions']:,} impressions, spend {totals['spend']:,.2f} "
            f"(file: {expected_spend / 1000:,.2f}); rollup rows "
            f"{CampaignDayRollup.objects.filter(client=client).count()}\n"
        )
        stdout.write(f"  peak memory (max RSS of this process): {_peak_rss_mb():.0f} MB\n")
    finally:
        IngestionRun.objects.filter(client=client).delete()
        Campaign.objects.filter(client=client).delete()
        client.delete()
        # Leave no bloat behind for the next measurement (or the demo) to wade through.
        with connection.cursor() as cursor:
            cursor.execute(
                "VACUUM ANALYZE metrics_dailymetric, metrics_campaigndayrollup, "
                "campaigns_creative, ingestion_stagingrow"
            )
