"""``manage.py bench_cpm``: a CPM change over N days and the lists below campaigns, measured at
scale (``devtools.bench_cpm``); prints figures, never asserts them."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from devtools.bench_cpm import bench_cpm


class Command(BaseCommand):
    help = "Measure a CPM change over N days and the strategy/placement/creative lists."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=91)
        parser.add_argument("--rows-per-day", type=int, default=50_000)
        parser.add_argument("--runs", type=int, default=3)

    def handle(self, *args: Any, **options: Any) -> None:
        logging.disable(logging.INFO)
        bench_cpm(
            days=options["days"],
            rows_per_day=options["rows_per_day"],
            runs=options["runs"],
            stdout=self.stdout,
        )
