"""``manage.py bench`` (``make bench``): prints measured figures, never asserts them.

Pipeline: a 50,000-row Surfside file, first load and re-load, per stage, interleaved with a floor.
Dashboard: p50/p95 latency of the summary, overview and campaign list on 600,000 rows.
Retention (``--only retention``): a night at 120 days x 50,000 rows, before and after partitions.
Exports (``--only exports``): a 1.5M-row CSV against the COPY floor, interleaved, and a 7-day XLSX.
``--days N [--rows R]``: the scale mode instead (``devtools/bench_scale.py``): N days of a
realistic client loaded one by one, then lists, summary, a CPM change, an export and retention.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from devtools.bench_dashboard import bench_dashboard
from devtools.bench_exports import bench_exports
from devtools.bench_ingest import bench_pipeline
from devtools.bench_retention import bench_retention
from devtools.bench_scale import bench_scale


class Command(BaseCommand):
    help = "Measure the ingestion pipeline and the dashboard API on this machine."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--only", choices=["pipeline", "dashboard", "retention", "exports"])
        parser.add_argument(
            "--export-runs", type=int, default=5, help="exports: floor/CSV pairs to time"
        )
        parser.add_argument(
            "--export-creatives", type=int, default=50_000, help="exports: rows per day"
        )
        parser.add_argument(
            "--days", type=int, default=0, help="Scale mode: load this many days of one client."
        )
        parser.add_argument(
            "--rows", type=int, default=50_000, help="Scale mode: rows of each day's file."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        logging.disable(logging.INFO)  # one log line per run would drown the figures
        if options["days"]:
            bench_scale(self.stdout, days=options["days"], rows=options["rows"])
            return
        if options["only"] in (None, "pipeline"):
            bench_pipeline(self.stdout)
        if options["only"] in (None, "dashboard"):
            self.stdout.write("")
            bench_dashboard(self.stdout)
        if options["only"] == "retention":  # minutes of seeding: asked for by name
            bench_retention(self.stdout)
        if options["only"] == "exports":  # minutes of work: only when asked for
            bench_exports(
                self.stdout, creatives=options["export_creatives"], runs=options["export_runs"]
            )
