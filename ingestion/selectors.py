"""Reads of ingestion records for the pages, always given the clients in scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db.models import F, Max, Min, QuerySet

from campaigns.models import Source
from clients.models import Client
from ingestion.models.runs import IngestionRun, RunStatus, StagingRow
from ingestion.sources.facebook.models import FacebookUpload, UploadStatus
from metrics.models import CampaignDayRollup
from metrics.periods import DateRange

REFUSED_ROWS_SHOWN = 100


def uploads_of(*, clients: QuerySet[Client]) -> QuerySet[FacebookUpload]:
    """The clients' Facebook uploads, newest first, with what their list shows joined in."""
    return (
        FacebookUpload.objects.filter(client__in=clients)
        .select_related("client", "run", "uploaded_by")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class RefusedRow:
    """A source row the pipeline refused: its number as a spreadsheet shows it, and why."""

    row_number: int
    problems: list[str]


def refused_staging_rows(run: IngestionRun) -> QuerySet[StagingRow]:
    """Every refused row of a run, in file order: each reader of refused rows starts here."""
    return StagingRow.objects.filter(run=run, is_valid=False).order_by("row_number")


def refused_rows(run: IngestionRun, limit: int = REFUSED_ROWS_SHOWN) -> list[RefusedRow]:
    """The first ``limit`` refused rows of a run, in file order, each problem as one line."""
    rows = refused_staging_rows(run)[:limit]
    return [
        RefusedRow(
            row_number=row.row_number,
            problems=[
                f"{error['column']}: {error['message']}"
                if error.get("column")
                else error["message"]
                for error in row.errors or []
            ],
        )
        for row in rows
    ]


def row_errors(run: IngestionRun, limit: int = REFUSED_ROWS_SHOWN) -> list[dict[str, Any]]:
    """The first ``limit`` refused rows of a run as the API shows them: number and errors."""
    return [
        {"row": row.row_number, "errors": row.errors or []}
        for row in refused_staging_rows(run)[:limit]
    ]


# --- Ingestion health (admin) -----------------------------------------------------------------

HEALTH_WINDOW_DAYS = 30
RERUNNABLE_BY_DAY = (Source.SURFSIDE, Source.VIBE)


class Health(StrEnum):
    FAILING = "failing"
    MISSING_DAYS = "missing_days"
    OK = "ok"
    NOT_SET_UP = "not_set_up"


HEALTH_LABELS = {
    Health.FAILING: "Last run failed",
    Health.MISSING_DAYS: "Days missing",
    Health.OK: "OK",
    Health.NOT_SET_UP: "Not set up",
}


@dataclass(frozen=True)
class SourceHealth:
    """How one source of one client is doing: its last run and the recent days without data."""

    client: Client
    source: str
    # None for sources without a connection to set up (Facebook arrives by upload).
    connected: bool | None
    last_run: IngestionRun | None
    first_day: dt.date | None
    latest_day: dt.date | None
    missing_days: list[dt.date]

    @property
    def health(self) -> Health:
        if self.last_run is None and self.latest_day is None and not self.connected:
            return Health.NOT_SET_UP
        if self.last_run is not None and self.last_run.status in (
            RunStatus.FAILED,
            RunStatus.MISSING_FILE,
        ):
            return Health.FAILING
        if self.missing_days:
            return Health.MISSING_DAYS
        return Health.OK

    @property
    def health_label(self) -> str:
        return HEALTH_LABELS[self.health]

    @property
    def can_rerun(self) -> bool:
        """Whether ``ingestion_run_rerun`` can repeat the last run (its input is kept)."""
        run = self.last_run
        if run is None or run.refused:
            return False
        if run.source in RERUNNABLE_BY_DAY:
            return run.requested_date is not None
        upload = getattr(run, "upload", None)
        return upload is not None and upload.status != UploadStatus.UNDONE

    @property
    def can_backfill(self) -> bool:
        """Pulled sources with a connection can fetch their missing days again."""
        return bool(self.connected and self.missing_days and self.source in RERUNNABLE_BY_DAY)


def health_window(today: dt.date) -> DateRange:
    """The days the health page checks: the 30 that end yesterday."""
    end = today - dt.timedelta(days=1)
    return DateRange(end - dt.timedelta(days=HEALTH_WINDOW_DAYS - 1), end)


def ingestion_health(
    *, clients: QuerySet[Client], sources: list[str], today: dt.date
) -> list[SourceHealth]:
    """Every client x source: last run, first and latest day loaded, missing days of the window.

    Four queries whatever the number of clients: the clients with their connections, the latest
    run of each client and source (DISTINCT ON, served by the runs' client/source/time index),
    the span of each one's data and its days with data in the window (both on the campaign
    rollups, which have a row per campaign and day delivered).
    """
    window = health_window(today)
    listed = list(
        clients.order_by("name").annotate(
            surfside_enabled=F("surfside_connection__is_enabled"),
            vibe_enabled=F("vibe_connection__is_enabled"),
        )
    )
    last_runs = {
        (run.client_id, run.source): run
        # A refused upload is the uploader's mistake, not the source's health.
        for run in IngestionRun.objects.filter(client__in=clients, refused=False)
        .select_related("upload")
        .order_by("client_id", "source", "-started_at", "-id")
        .distinct("client_id", "source")
    }
    spans = {
        (row["client_id"], row["source"]): (row["first"], row["last"])
        for row in CampaignDayRollup.objects.filter(client__in=clients)
        .values("client_id", "source")
        .annotate(first=Min("date"), last=Max("date"))
        .order_by()
    }
    delivered: dict[tuple[int, str], set[dt.date]] = {}
    for client_id, source, day in (
        CampaignDayRollup.objects.filter(
            client__in=clients, date__gte=window.start, date__lte=window.end
        )
        .values_list("client_id", "source", "date")
        .distinct()
        .order_by()
    ):
        delivered.setdefault((client_id, source), set()).add(day)

    rows = []
    for client in listed:
        connections: dict[str, bool | None] = {
            Source.SURFSIDE.value: client.surfside_enabled,
            Source.VIBE.value: client.vibe_enabled,
        }
        for source in sources:
            key = (client.pk, source)
            first_day, latest_day = spans.get(key, (None, None))
            connected = bool(connections[source]) if source in connections else None
            # Days count as missing from the first day the source delivered (or the start of
            # the window for a connected source that never did).
            since = first_day or (window.start if connected else None)
            days = delivered.get(key, set())
            missing = (
                [day for day in window.each_day() if day >= since and day not in days]
                if since
                else []
            )
            rows.append(
                SourceHealth(
                    client=client,
                    source=source,
                    connected=connected,
                    last_run=last_runs.get(key),
                    first_day=first_day,
                    latest_day=latest_day,
                    missing_days=missing,
                )
            )
    return rows
