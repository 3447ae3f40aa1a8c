"""``manage.py bench`` (``make bench``): prints measured figures, never asserts them.

Pipeline: a 50,000-row Surfside file, first load and re-load, per stage, against a floor.
Dashboard: p50/p95 latency of the summary, overview and campaign list on 600,000 rows.
Retention (``--only retention``): a night at 120 days x 50,000 rows, before and after partitions.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from devtools.bench_dashboard import bench_dashboard
from devtools.bench_ingest import bench_pipeline
from devtools.bench_retention import bench_retention


class Command(BaseCommand):
    help = "Measure the ingestion pipeline and the dashboard API on this machine."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--only", choices=["pipeline", "dashboard", "retention"])

    def handle(self, *args: Any, **options: Any) -> None:
        logging.disable(logging.INFO)  # one log line per run would drown the figures
        if options["only"] in (None, "pipeline"):
            bench_pipeline(self.stdout)
        if options["only"] in (None, "dashboard"):
            self.stdout.write("")
            bench_dashboard(self.stdout)
        if options["only"] == "retention":  # minutes of seeding: asked for by name
            bench_retention(self.stdout)
