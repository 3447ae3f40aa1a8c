"""``manage.py bench --days N [--rows R]``: a realistic client at scale, through the public code.

Loads N days (ending yesterday) of one client's Surfside files of R rows (50,000 by default)
through ``run_ingestion``, creatives repeating day to day (each day retires 250 and adds 250, so
120 days hold ~80,000 creatives), and prints the ingest of each day as the table grows. Then, on
that table: p50/p95 of the list and summary APIs for 7, 30 and 90 days; a CPM change over the
last 90 days (``metrics.cpm.cpm_rate_add``, with queued work run in this process as the worker
would run it); a 30-day CSV export through the export API (built as the worker builds it when it
is queued); and the nightly retention job (``operations.tasks.retention_run``). Every step calls
the public service or endpoint, so the figures follow whatever those become.

The throwaway client is dropped at the end.
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from django.test.utils import override_settings
from django.utils import timezone
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from accounts.models import Role, User
from clients.models import Client
from devtools.bench_dashboard import Writer, _percentile
from devtools.bench_ingest import (
    STAGES,
    _timed_run,
    _vacuum,
    bench_client,
    drop_client,
    peak_rss_mb,
    surfside_file,
)
from metrics.cpm import cpm_rate_add
from metrics.models import DailyMetric
from operations.tasks import retention_run
from reports.export_jobs import export_job_build
from reports.models import ExportJob

CHURN = 250  # creatives retired and added each day
CALLS = 20
LISTS = ("campaigns", "strategies", "placements", "creatives", "dashboard/summary")


@contextmanager
def queued_work_runs_here() -> Iterator[None]:
    """django-q's sync mode: a queued task runs in this process, as the worker would run it."""
    from django_q.conf import Conf

    was = Conf.SYNC
    Conf.SYNC = True
    try:
        yield
    finally:
        Conf.SYNC = was


def _load_days(client: Client, days: int, rows: int, stdout: Writer) -> dt.date:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    first = yesterday - dt.timedelta(days=days - 1)
    every = max(1, days // 20)
    stdout.write(f"Ingest, one {rows:,}-row file a day, {first} .. {yesterday}\n")
    stdout.write(
        "  {:>4} {:>11} {:>8} ".format("day", "table rows", "total")
        + " ".join(f"{stage:>8}" for stage in STAGES)
        + "\n"
    )
    walls = []
    for offset in range(days):
        day = first + dt.timedelta(days=offset)
        content = surfside_file(rows, day, seed=offset, first_creative=offset * CHURN)
        wall, run = _timed_run(client, content, file_name=f"{day}.csv")
        walls.append(wall)
        if offset % every == 0 or offset == days - 1:
            table = DailyMetric.objects.filter(client=client).count()
            stdout.write(
                f"  {offset + 1:>4} {table:>11,} {wall:>8.3f} "
                + " ".join(f"{run.timings.get(stage, 0):>8.3f}" for stage in STAGES)
                + "\n"
            )
    stdout.write(
        f"  ingest per day: median {statistics.median(walls):.3f} s "
        f"({min(walls):.3f}-{max(walls):.3f}); peak RSS of this process {peak_rss_mb():.0f} MB\n"
    )
    return yesterday


def _latencies(api: APIClient, end: dt.date, stdout: Writer) -> None:
    stdout.write(f"APIs, {CALLS} calls each after a warm-up: p50 / p95 ms\n")
    for span in (7, 30, 90):
        start = end - dt.timedelta(days=span - 1)
        figures = []
        for name in LISTS:
            path = f"/api/v1/{name}?start_date={start}&end_date={end}"
            first = api.get(path)
            if first.status_code != 200:
                figures.append(f"{name} HTTP {first.status_code}")
                continue
            samples = []
            for _ in range(CALLS):
                started = time.perf_counter()
                api.get(path)
                samples.append((time.perf_counter() - started) * 1000)
            figures.append(
                f"{name} {statistics.median(samples):.0f}/{_percentile(samples, 0.95):.0f}"
            )
        stdout.write(f"  {span:>2} days: " + "; ".join(figures) + "\n")


def _cpm_change(client: Client, end: dt.date, stdout: Writer) -> None:
    effective = end - dt.timedelta(days=89)
    governed = DailyMetric.objects.filter(client=client, date__gte=effective).count()
    with queued_work_runs_here():
        started = time.perf_counter()
        cpm_rate_add(client=client, cpm=Decimal("17.50"), effective_date=effective, by=None)
        seconds = time.perf_counter() - started
    stdout.write(
        f"CPM change from {effective} (90 days, {governed:,} detail rows), queued work included: "
        f"{seconds:.2f} s (target <= 5 s)\n"
    )


def _export(api: APIClient, end: dt.date, stdout: Writer) -> None:
    start = end - dt.timedelta(days=29)
    with queued_work_runs_here():
        started = time.perf_counter()
        response = api.get(f"/api/v1/exports/csv?start_date={start}&end_date={end}")
        size = 0
        if response.status_code == 202:
            job_id = int(response.json()["id"])
            job = ExportJob.objects.get(pk=job_id)
            if not job.file:
                export_job_build(job_id)
                job.refresh_from_db()
            size = job.file.size if job.file else 0
            how = "queued, built as the worker builds it"
        else:
            for chunk in response.streaming_content:  # type: ignore[attr-defined]
                size += len(chunk)
            how = f"HTTP {response.status_code}, streamed"
        seconds = time.perf_counter() - started
    stdout.write(f"CSV export, 30 days ({how}): {seconds:.2f} s, {size / 1e6:.1f} MB\n")


def _retention(stdout: Writer) -> None:
    with queued_work_runs_here():
        started = time.perf_counter()
        retention_run()
        seconds = time.perf_counter() - started
    stdout.write(f"Nightly retention (operations.tasks.retention_run): {seconds:.2f} s\n")


def bench_scale(stdout: Writer, *, days: int, rows: int) -> None:
    suffix = uuid.uuid4().hex[:8]
    client = bench_client(f"bench-scale-{suffix}")
    user: User | None = None
    try:
        end = _load_days(client, days, rows, stdout)
        _vacuum()
        user = User.objects.create_user(
            username=f"bench-{suffix}", role=Role.CLIENT, client=client, password=None
        )
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}")
        with override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False):
            _latencies(api, end, stdout)
            _export(api, end, stdout)
        _cpm_change(client, end, stdout)
        _retention(stdout)
    finally:
        if user is not None:
            user.delete()
        drop_client(client)
        _vacuum()
