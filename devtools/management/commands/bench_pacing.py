"""``manage.py bench_pacing [--days N] [--orders N]``: prints the pacing panel's latency."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from devtools.bench_pacing import bench_pacing


class Command(BaseCommand):
    help = "Measure the dashboard's pacing panel for many orders on this machine."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=120)
        parser.add_argument("--orders", type=int, default=200)

    def handle(self, *args: Any, **options: Any) -> None:
        bench_pacing(self.stdout, days=options["days"], orders=options["orders"])
