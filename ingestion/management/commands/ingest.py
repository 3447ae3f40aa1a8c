"""``manage.py ingest``: one ingestion run in the foreground, with a one-line summary.

Exits 0 when the run ends ``success`` or ``partial``, 1 otherwise (with the reason on stderr).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from campaigns.models import Source
from ingestion.files import FileRefused
from ingestion.management.commands._common import client_by_slug, parse_day
from ingestion.models.runs import IngestionRun, RunStatus, RunTrigger
from ingestion.services import ingest_file
from ingestion.sources.surfside.services import surfside_ingest_day
from ingestion.sources.vibe.flow import ingest_vibe_day


def summary_line(run: IngestionRun, label: str) -> str:
    seconds = (run.timings or {}).get("total")
    took = f", {seconds:.2f} s" if seconds is not None else ""
    return (
        f"{label}: {run.status} - {run.rows_read:,} rows read, {run.rows_loaded:,} loaded, "
        f"{run.rows_failed:,} refused (run #{run.pk}{took})"
    )


class Command(BaseCommand):
    help = "Run the ingestion pipeline once for a client and source (or a local file)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", required=True, choices=Source.values)
        parser.add_argument("--client", required=True, help="The client's slug.")
        parser.add_argument("--date", help="Delivery date, YYYY-MM-DD (default: yesterday).")
        parser.add_argument("--file", type=Path, help="Load this local CSV/XLSX instead.")

    def handle(self, *args: Any, **options: Any) -> None:
        source = options["source"]
        client = client_by_slug(options["client"])
        day = (
            parse_day(options["date"], "--date")
            if options["date"]
            else timezone.localdate() - dt.timedelta(days=1)
        )
        path: Path | None = options["file"]
        if source == Source.FACEBOOK and path is None:
            raise CommandError("Facebook data comes from files: pass --file PATH.")
        try:
            if path is not None:
                run = ingest_file(
                    client=client,
                    source=source,
                    path=path,
                    requested_date=day if options["date"] else None,
                )
                label = f"{source} {client.slug} {path.name}"
            else:
                run = self._pull(source, client, day)
                label = f"{source} {client.slug} {day}"
        except FileRefused as error:
            raise CommandError(str(error)) from None
        line = summary_line(run, label)
        if run.status in (RunStatus.SUCCESS, RunStatus.PARTIAL):
            self.stdout.write(self.style.SUCCESS(line))
            if run.status == RunStatus.PARTIAL:
                self.stderr.write(run.message)
            for warning in run.warnings:
                self.stdout.write(f"  warning: {warning}")
            return
        self.stdout.write(line)
        raise CommandError(run.message or run.get_status_display())

    def _pull(self, source: str, client: Any, day: dt.date) -> IngestionRun:
        if source == Source.SURFSIDE:
            return surfside_ingest_day(client=client, day=day, trigger=RunTrigger.MANUAL)
        # Vibe: create the report, poll as the budget allows, download and load, in the
        # foreground; progress lines go to stderr so stdout keeps the one-line summary.
        return ingest_vibe_day(
            client=client,
            day=day,
            trigger=RunTrigger.MANUAL,
            echo=lambda line: self.stderr.write(f"  {line}"),
        )
