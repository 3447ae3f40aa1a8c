"""Whether data is in, and why not: days without data explained, and each source's freshness.

A day without data is explained by the ingestion runs that covered it, so a client can tell "the
file never came" from "we have not pulled it yet" without asking the agency.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.aggregates import BoolOr
from django.db import connection
from django.db.models import Exists, Max, Min, OuterRef, QuerySet, Subquery
from django.db.models.functions import Greatest, Least

from campaigns.models import Source
from clients.models import Client
from ingestion.models.runs import IngestionRun, RunStatus
from ingestion.sources.surfside.models import SurfsideConnection
from ingestion.sources.vibe.models import VibeConnection
from metrics.models import DailyMetric
from metrics.periods import DateRange
from metrics.selectors.measures import rollups_in_range

STATUS_OK = "ok"
REASON_FILE_NOT_DELIVERED = "no data: file not delivered"
REASON_INGESTION_FAILED = "no data: ingestion failed"
REASON_NOT_YET_PULLED = "no data: not yet pulled"

# Runs that loaded data (all rows, or the valid ones).
LOADED_STATUSES = (RunStatus.SUCCESS, RunStatus.PARTIAL)

# For each day, the latest run of each client and source that covered it. A run covers the day it
# was asked for and the days its data held (a Surfside file restates past days; an upload has no
# requested day). A later run supersedes an earlier one: a failure fixed by a re-run no longer
# explains anything.
_DAY_RUN_STATUSES_SQL = """
    SELECT day, bool_or(status = %s), bool_or(status = %s)
    FROM (
        SELECT DISTINCT ON (day, run.client_id, run.source)
               run.first_day + covered.offset_days AS day, run.status
        FROM ({runs}) AS run
        CROSS JOIN LATERAL generate_series(
            greatest(run.first_day, %s::date) - run.first_day,
            least(run.last_day, %s::date) - run.first_day
        ) AS covered(offset_days)
        ORDER BY day, run.client_id, run.source, run.started_at DESC, run.id DESC
    ) AS latest
    GROUP BY day
"""


def no_data_reasons(
    *, clients: QuerySet[Client], date_range: DateRange, source: str | None = None
) -> dict[dt.date, str]:
    """Why each day of the range would have no data, judged from the latest runs covering it.

    Among the clients (and sources) in scope, a file not delivered outweighs a failed run, which
    outweighs "not yet pulled". Days no run explains are absent: they are "not yet pulled".
    """
    # A refused upload is its uploader's mistake, not a reason a day has no data.
    runs = (
        IngestionRun.objects.filter(client__in=clients, refused=False)
        .annotate(
            first_day=Least("requested_date", "date_from"),
            last_day=Greatest("requested_date", "date_to"),
        )
        .filter(first_day__lte=date_range.end, last_day__gte=date_range.start)
    )
    if source:
        runs = runs.filter(source=source)
    runs_sql, runs_params = (
        runs.order_by()
        .values("id", "client_id", "source", "status", "started_at", "first_day", "last_day")
        .query.sql_with_params()
    )
    params = [
        RunStatus.MISSING_FILE.value,
        RunStatus.FAILED.value,
        *runs_params,
        date_range.start,
        date_range.end,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_DAY_RUN_STATUSES_SQL.format(runs=runs_sql), params)
        rows = cursor.fetchall()
    reasons: dict[dt.date, str] = {}
    for day, file_missing, failed in rows:
        if file_missing:
            reasons[day] = REASON_FILE_NOT_DELIVERED
        elif failed:
            reasons[day] = REASON_INGESTION_FAILED
        else:
            reasons[day] = REASON_NOT_YET_PULLED
    return reasons


@dataclass(frozen=True)
class Freshness:
    """How current one source's data is for the clients in scope, and whether they use it."""

    source: str
    last_loaded_at: dt.datetime | None
    latest_date: dt.date | None
    # The first day the source ever delivered for the clients: days before it are not missing.
    first_date: dt.date | None = None
    # Whether one of the clients has a connection for the source (Surfside, Vibe).
    connected: bool = False

    @property
    def in_use(self) -> bool:
        """The clients' own source (SPEC 9 "Whole"): it has a connection or has data."""
        return self.connected or self.latest_date is not None


# The connection that makes a pulled source one of a client's own, before it delivers anything.
_CONNECTIONS: dict[str, type[SurfsideConnection] | type[VibeConnection]] = {
    Source.SURFSIDE.value: SurfsideConnection,
    Source.VIBE.value: VibeConnection,
}


def freshness(*, clients: QuerySet[Client], sources: list[str]) -> list[Freshness]:
    """Per source: when a run last loaded data, the first and latest day the data holds, and
    whether a client has a connection for it.

    One query. The first and latest day are looked up per client and source with the daily
    metrics' (client, source, date) index, one index probe each, instead of scanning the
    clients' rows.
    """
    annotations: dict[str, Any] = {}
    aggregates: dict[str, Any] = {}
    for source in sources:
        annotations[f"loaded_{source}"] = Subquery(
            IngestionRun.objects.filter(
                client=OuterRef("pk"),
                source=source,
                status__in=LOADED_STATUSES,
                finished_at__isnull=False,
            )
            .order_by("-finished_at")
            .values("finished_at")[:1]
        )
        days = DailyMetric.objects.filter(client=OuterRef("pk"), source=source)
        annotations[f"latest_{source}"] = Subquery(days.order_by("-date").values("date")[:1])
        annotations[f"first_{source}"] = Subquery(days.order_by("date").values("date")[:1])
        aggregates[f"max_loaded_{source}"] = Max(f"loaded_{source}")
        aggregates[f"max_latest_{source}"] = Max(f"latest_{source}")
        aggregates[f"min_first_{source}"] = Min(f"first_{source}")
        if source in _CONNECTIONS:
            annotations[f"connected_{source}"] = Exists(
                _CONNECTIONS[source].objects.filter(client=OuterRef("pk"))
            )
            aggregates[f"any_connected_{source}"] = BoolOr(f"connected_{source}")
    found = clients.annotate(**annotations).aggregate(**aggregates)
    return [
        Freshness(
            source=source,
            last_loaded_at=found[f"max_loaded_{source}"],
            latest_date=found[f"max_latest_{source}"],
            first_date=found[f"min_first_{source}"],
            connected=bool(found.get(f"any_connected_{source}")),
        )
        for source in sources
    ]


def sources_in_use(*, clients: QuerySet[Client]) -> list[str]:
    """The clients' own sources, in ``Source`` order: those with a connection or with data."""
    return [
        entry.source
        for entry in freshness(clients=clients, sources=list(Source.values))
        if entry.in_use
    ]


def days_with_data(
    *, clients: QuerySet[Client], date_range: DateRange, source: str | None = None
) -> dict[str, set[dt.date]]:
    """Per source, the days of the range that hold data for the clients in scope (one query on
    the campaign rollups, which have a row for every campaign and day with delivery)."""
    rows = (
        rollups_in_range(clients=clients, start=date_range.start, end=date_range.end, source=source)
        .values_list("source", "date")
        .distinct()
        .order_by()
    )
    found: dict[str, set[dt.date]] = {}
    for row_source, day in rows:
        found.setdefault(row_source, set()).add(day)
    return found


# --- The words people read ------------------------------------------------------------------

# CSS-friendly keys and the words people read, per reason the availability selector gives.
REASON_KEYS = {
    REASON_FILE_NOT_DELIVERED: "not-delivered",
    REASON_INGESTION_FAILED: "failed",
    REASON_NOT_YET_PULLED: "not-pulled",
}
REASON_LABELS = {
    "not-delivered": "File not delivered",
    "failed": "Ingestion failed",
    "not-pulled": "Not yet pulled",
}
# Facebook data arrives by upload: nothing is "pulled".
FACEBOOK_NOT_PULLED = "Not uploaded yet"


def reason_label(reason: str, source: str) -> str:
    """The words the page uses for why a day of ``source`` has no data (an availability
    selector's reason, e.g. "no data: not yet pulled")."""
    return reason_label_of_key(REASON_KEYS[reason], source)


def reason_label_of_key(key: str, source: str) -> str:
    if key == "not-pulled" and source == Source.FACEBOOK:
        return FACEBOOK_NOT_PULLED
    return REASON_LABELS[key]
