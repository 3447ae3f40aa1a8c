"""Retention (SPEC 5): what is kept how long, and the archive of old daily metrics.

Daily metrics older than ``RETENTION_DAILY_METRICS_MONTHS`` are written to the default storage as
one gzipped CSV per client and month, and only then deleted with their rollups, in one
transaction per month: a month is either still in the database or in an archive file recorded by
a ``MetricArchive`` row, never neither. Staging rows, ingestion logs, the schedule ledger and audit
entries are purged past their age; summaries are kept forever.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import logging
import tempfile
from decimal import Decimal
from typing import IO

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.models import AuditLog, LoginAttemptCount
from campaigns.models import Source
from clients.models import Client
from ingestion.loader import lock_client_source
from ingestion.models import IngestionRun, ReportState, StagingRow, VibeReportRequest
from metrics.models import (
    CampaignDayRollup,
    DailyMetric,
    PlacementDayRollup,
    StrategyDayRollup,
)
from metrics.pricing import with_row_measures
from metrics.retention_policy import cutoffs
from reports.models import MetricArchive, ScheduledRun

logger = logging.getLogger(__name__)

# Every column of a daily metric row, ids included, so an archive can be loaded back as it was.
ARCHIVE_COLUMNS = (
    "date",
    "client_id",
    "source",
    "campaign_id",
    "campaign__name",
    "strategy_id",
    "strategy__name",
    "placement_id",
    "placement__name",
    "creative_id",
    "creative__name",
    "creative__size",
    "impressions",
    "clicks",
    "conversions",
    "conversion_revenue",
    "spend",
    "source_spend",
    "ctr",
    "cpc",
    "cpa",
    "roas",
    "ingestion_run_id",
)
ARCHIVE_CHUNK_ROWS = 5000
_LOCK_MONTH_SQL = """
    SELECT count(*) FROM (
        SELECT 1 FROM metrics_dailymetric
        WHERE client_id = %s AND date >= %s AND date < %s
        FOR UPDATE
    ) AS locked
"""


def purge_expired(*, day: dt.date) -> dict[str, int]:
    """Delete staging rows, ingestion logs (with their staging rows), schedule ledger entries,
    audit entries past their age and ended login-attempt windows. Set-based deletes; safe to run
    twice."""
    limits = cutoffs(day)
    purged = {
        "vibe_reports": _purge_vibe_reports(before=limits.ingestion_logs),
        "staging_rows": StagingRow.objects.filter(created_at__lt=limits.staging).delete()[0],
        "ingestion_runs": IngestionRun.objects.filter(started_at__lt=limits.ingestion_logs)
        .delete()[1]
        .get(IngestionRun._meta.label, 0),
        "scheduled_runs": ScheduledRun.objects.filter(
            intended_at__lt=limits.ingestion_logs
        ).delete()[0],
        "audit_entries": AuditLog.objects.filter(created_at__lt=limits.audit).delete()[0],
        # Login attempt counts whose window has ended count for nothing any more.
        "login_attempts": LoginAttemptCount.objects.filter(
            window_ends__lte=timezone.now()
        ).delete()[0],
    }
    logger.info("retention for %s purged %s", day, purged)
    return purged


def _purge_vibe_reports(*, before: dt.datetime) -> int:
    """Finished Vibe report requests as old as the ingestion logs, with their downloaded CSVs
    (the data itself is in the daily metrics)."""
    finished = VibeReportRequest.objects.filter(
        updated_at__lt=before, state__in=[ReportState.LOADED, ReportState.FAILED]
    )
    for file_key in finished.exclude(file_key="").values_list("file_key", flat=True):
        default_storage.delete(file_key)
    return finished.delete()[1].get(VibeReportRequest._meta.label, 0)


def clients_with_expired_metrics(*, day: dt.date) -> list[int]:
    """Ids of the clients that hold daily metrics older than the cutoff."""
    before = cutoffs(day).daily_metrics
    return list(
        Client.objects.filter(
            pk__in=DailyMetric.objects.filter(date__lt=before).values("client_id")
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def archive_client(*, client_id: int, day: dt.date) -> list[MetricArchive]:
    """Archive then delete each of the client's months older than the cutoff, oldest first; a
    month that fails stays in the database and the next run tries it again."""
    before = cutoffs(day).daily_metrics
    months = (
        DailyMetric.objects.filter(client_id=client_id, date__lt=before)
        .annotate(month=TruncMonth("date"))
        .values_list("month", flat=True)
        .distinct()
        .order_by("month")
    )
    return [archive_month(client_id=client_id, month=month) for month in list(months)]


def archive_month(*, client_id: int, month: dt.date) -> MetricArchive:
    """Write the client's daily metrics of ``month`` to storage, then delete them and their
    rollups, atomically: the file is written and its row count checked inside the transaction
    that deletes, and removed again if the delete fails (the rows then stay where they were).

    The rollups are deleted directly rather than through ``rollups_refresh``: archiving is not a
    change of the figures, and must not regenerate the month's stored summaries (kept forever)
    from a database that no longer holds its days."""
    first = month.replace(day=1)
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    name = f"archives/daily-metrics/client-{client_id}/{first:%Y-%m}.csv.gz"
    with transaction.atomic():
        # No load of this client may add rows to the month between the archive and the delete.
        for source in Source.values:
            lock_client_source(client_id=client_id, source=source)
        # Nor may a CPM change re-price them: the archive holds the values that are deleted.
        with connection.cursor() as cursor:
            cursor.execute(_LOCK_MONTH_SQL, [client_id, first, following])
        rows = DailyMetric.objects.filter(client_id=client_id, date__gte=first, date__lt=following)
        # Spend and its rates are derived (SPEC 4): priced per row as the archive keeps them.
        rows = with_row_measures(rows)
        expected = rows.aggregate(
            # Not named "spend": that would shadow the rows' derived spend being summed.
            rows=Count("id"),
            impressions=Sum("impressions"),
            billed=Sum("spend"),
        )
        with tempfile.TemporaryFile() as buffer:
            written = _write_archive(buffer, rows)
            if written != expected["rows"]:
                raise RuntimeError(
                    f"archive of client {client_id} {first:%Y-%m} wrote {written} rows "
                    f"of {expected['rows']}"
                )
            buffer.seek(0)
            stored_name = default_storage.save(name, File(buffer, name=name))
        try:
            archive = MetricArchive.objects.create(
                client_id=client_id,
                month=first,
                file_name=stored_name,
                rows=written,
                impressions=expected["impressions"] or 0,
                spend=expected["billed"] or Decimal(0),
            )
            DailyMetric.objects.filter(
                client_id=client_id, date__gte=first, date__lt=following
            ).delete()
            for rollup in (CampaignDayRollup, StrategyDayRollup, PlacementDayRollup):
                rollup.objects.filter(
                    client_id=client_id, date__gte=first, date__lt=following
                ).delete()
        except BaseException:
            default_storage.delete(stored_name)
            raise
    logger.info(
        "archived %s daily metric rows of client %s %s to %s",
        written,
        client_id,
        f"{first:%Y-%m}",
        stored_name,
    )
    return archive


def _write_archive(buffer: IO[bytes], rows: QuerySet[DailyMetric]) -> int:
    """Rows as gzipped CSV with a header, in chunks; returns how many were written."""
    written = 0
    with (
        gzip.GzipFile(fileobj=buffer, mode="wb") as compressed,
        io.TextIOWrapper(compressed, encoding="utf-8", newline="") as text,
    ):
        writer = csv.writer(text)
        writer.writerow([column.replace("__", "_") for column in ARCHIVE_COLUMNS])
        for row in (
            rows.order_by("date", "id")
            .values_list(*ARCHIVE_COLUMNS)
            .iterator(chunk_size=ARCHIVE_CHUNK_ROWS)
        ):
            writer.writerow(["" if value is None else value for value in row])
            written += 1
    return written


def read_archive(file_name: str) -> list[dict[str, str]]:
    """An archive's rows as dicts of text (for checks and for restoring by hand)."""
    with (
        default_storage.open(file_name, "rb") as stored,
        gzip.GzipFile(fileobj=stored) as compressed,
        io.TextIOWrapper(compressed, encoding="utf-8", newline="") as text,
    ):
        return list(csv.DictReader(text))
