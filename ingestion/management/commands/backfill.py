"""``manage.py backfill``: load a range of days, with a progress bar and a per-day summary."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from campaigns.models import Source
from clients.models import Client, ClientStatus
from ingestion.backfill import backfill_create, backfill_run
from ingestion.management.commands._common import client_by_slug, parse_day
from ingestion.models.backfill import BackfillJob
from ingestion.models.runs import IngestionRun

BAR_WIDTH = 30


class Command(BaseCommand):
    help = "Load every day from --start to --end for one client or all clients with a connection."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", required=True, choices=[Source.SURFSIDE, Source.VIBE])
        parser.add_argument("--client", required=True, help="A client's slug, or 'all'.")
        parser.add_argument("--start", required=True, help="First day, YYYY-MM-DD.")
        parser.add_argument("--end", required=True, help="Last day, YYYY-MM-DD.")

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["source"]
        start = parse_day(options["start"], "--start")
        end = parse_day(options["end"], "--end")
        clients = self._clients(options["client"], source)
        try:
            job = backfill_create(source=source, clients=clients, start=start, end=end, by=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if source == Source.VIBE:
            self.stdout.write(
                f"Queuing Vibe reports for {len(clients)} client(s), {start} to {end}"
            )
        else:
            self.stdout.write(
                f"Backfilling {source} for {len(clients)} client(s), {start} to {end} "
                f"({job.steps_total} days)"
            )
        job = backfill_run(job.pk, on_step=self._progress)
        if sys.stdout.isatty() and source == Source.SURFSIDE:
            self.stdout.write("")
        self._summary(job)
        if job.status != "done":
            raise CommandError(job.message)

    def _clients(self, slug: str, source: str) -> list[Client]:
        if slug != "all":
            return [client_by_slug(slug)]
        clients = Client.objects.filter(status=ClientStatus.ACTIVE).order_by("name")
        if source == Source.SURFSIDE:
            clients = clients.filter(surfside_connection__is_enabled=True)
        else:
            clients = clients.filter(vibe_connection__is_enabled=True)
        found = list(clients)
        if not found:
            raise CommandError(f"No active client has a {source} connection.")
        return found

    def _progress(self, job: BackfillJob, client: Client, day: dt.date, run: IngestionRun) -> None:
        filled = round(BAR_WIDTH * job.steps_done / max(job.steps_total, 1))
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        line = f"[{bar}] {job.steps_done}/{job.steps_total} {client.slug} {day} {run.status}"
        if sys.stdout.isatty():
            self.stdout.write(f"\r{line:<100}", ending="")
            self.stdout.flush()
        else:
            self.stdout.write(line)

    def _summary(self, job: BackfillJob) -> None:
        if job.source == Source.VIBE:
            self.stdout.write(f"{'client':<24}{'from':<12}{'to':<12}{'state':<12}  request")
            for step in job.results:
                self.stdout.write(
                    f"{step['client']:<24}{step['start']:<12}{step['end']:<12}"
                    f"{step['state']:<12}  #{step['report_request_id']}"
                )
            style = self.style.SUCCESS if job.status == "done" else self.style.ERROR
            self.stdout.write(style(job.message))
            return
        self.stdout.write(f"{'client':<24}{'date':<12}{'status':<14}{'rows':>10}  run")
        for step in job.results:
            self.stdout.write(
                f"{step['client']:<24}{step['date']:<12}{step['status']:<14}"
                f"{step['rows_loaded']:>10,}  #{step['run_id']}"
            )
        self.stdout.write(self.style.SUCCESS(job.message))
