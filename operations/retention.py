"""Retention (SPEC 5): what is kept how long, and the archive of old daily metrics.

Daily metrics older than ``RETENTION_DAILY_METRICS_MONTHS`` are written to the default storage as
one gzipped CSV per client and month, and only then is the month's partition detached and dropped
(``metrics.partitions``), in one transaction per month: a month is either still in the database or
in archive files recorded by ``MetricArchive`` rows, never neither. The cost of a night follows
the months it archives, never the size of the table. Staging rows, ingestion logs, the schedule
ledger and audit entries are purged past their age (a purged run leaves its metric rows alone);
daily rollups and summaries are kept forever.
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
from django.utils import timezone

from accounts.models import AuditLog, LoginAttemptCount
from ingestion.models import IngestionRun, ReportState, StagingRow, VibeReportRequest
from metrics.formulas import sql_spend
from metrics.partitions import (
    LOCK_TIMEOUT,
    detach_and_drop,
    month_partitions,
    months_in_default,
    partition_month,
    partition_name,
)
from metrics.pricing import RATE_PERIODS_SQL
from metrics.retention_policy import cutoffs
from reports.models import MetricArchive, ScheduledRun

logger = logging.getLogger(__name__)

# Every column of a daily metric row, ids included, so an archive can be loaded back as it was;
# spend as billed (impressions / 1000 x the CPM in effect). Ratios are left out: they follow from
# the sums of these columns.
_SPEND = sql_spend("m.impressions", "r.cpm")
ARCHIVE_COLUMNS = (
    "m.date",
    "m.client_id",
    "m.source",
    "m.campaign_id",
    "c.name AS campaign_name",
    "m.strategy_id",
    "s.name AS strategy_name",
    "m.placement_id",
    "p.name AS placement_name",
    "m.creative_id",
    "k.name AS creative_name",
    "k.size AS creative_size",
    "m.impressions",
    "m.clicks",
    "m.conversions",
    "m.conversion_revenue",
    f"{_SPEND} AS spend",
    "m.source_spend",
    "m.ingestion_run_id",
)


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


def expired_months(*, day: dt.date) -> list[dt.date]:
    """The months of daily metrics wholly before the cutoff of a run for ``day`` (the window is
    global: one cutoff for every client), oldest first. Reads the partition catalogue and the
    DEFAULT partition only, never the months kept."""
    before = cutoffs(day).daily_metrics
    months = {partition.month for partition in month_partitions() if partition.month < before}
    return sorted(months | set(months_in_default(before=before)))


def archive_expired(*, day: dt.date) -> list[MetricArchive]:
    """Archive every expired month (see ``archive_month``), oldest first."""
    return [archive for month in expired_months(day=day) for archive in archive_month(month=month)]


def archive_month(*, month: dt.date) -> list[MetricArchive]:
    """Write every client's daily metrics of ``month`` to storage (one file per client), then
    detach and drop the month's partition, atomically: the files are written and their row
    counts checked inside the transaction that drops, and removed again if anything fails (the
    month then stays in the database and the next run tries it again).

    Rollups and summaries are left alone: they are kept forever (SPEC 5), and archiving is not a
    change of the figures, so nothing is regenerated either."""
    first = month.replace(day=1)
    stored: list[str] = []
    archives: list[MetricArchive] = []
    try:
        with transaction.atomic():
            # Rows of the month still in the DEFAULT partition move to a partition of their own.
            partition_month(first)
            table = partition_name(first)
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_TIMEOUT])
                # No load or re-pricing may change the month between the archive and the drop.
                cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
                cursor.execute(
                    f"SELECT client_id, count(*), coalesce(sum(impressions), 0) FROM {table} "
                    "GROUP BY client_id ORDER BY client_id"
                )
                totals = cursor.fetchall()
            for client_id, rows, impressions in totals:
                name = f"archives/daily-metrics/client-{client_id}/{first:%Y-%m}.csv.gz"
                with tempfile.TemporaryFile() as buffer:
                    written, spend = _write_archive(buffer, table=table, client_id=client_id)
                    if written != rows:
                        raise RuntimeError(
                            f"archive of client {client_id} {first:%Y-%m} wrote {written} rows "
                            f"of {rows}"
                        )
                    buffer.seek(0)
                    stored.append(default_storage.save(name, File(buffer, name=name)))
                archives.append(
                    MetricArchive.objects.create(
                        client_id=client_id,
                        month=first,
                        file_name=stored[-1],
                        rows=written,
                        impressions=impressions,
                        spend=spend,
                    )
                )
            detach_and_drop(first)
    except BaseException:
        for file_name in stored:
            default_storage.delete(file_name)
        raise
    logger.info(
        "archived %s daily metric rows of %s clients for %s, partition dropped",
        sum(archive.rows for archive in archives),
        len(archives),
        f"{first:%Y-%m}",
    )
    return archives


def _archive_sql(table: str) -> str:
    """One client's rows of one month partition as CSV with a header; spend is derived from the
    impressions and the CPM in effect (``RATE_PERIODS_SQL``), blank for a day no rate covers."""
    return f"""
        COPY (
            WITH periods AS ({RATE_PERIODS_SQL})
            SELECT {", ".join(ARCHIVE_COLUMNS)}
            FROM {table} m
            JOIN campaigns_campaign c ON c.id = m.campaign_id
            JOIN campaigns_strategy s ON s.id = m.strategy_id
            JOIN campaigns_placement p ON p.id = m.placement_id
            JOIN campaigns_creative k ON k.id = m.creative_id
            LEFT JOIN periods r ON m.date >= r.starts AND (r.ends IS NULL OR m.date < r.ends)
            WHERE m.client_id = %(client_id)s
            ORDER BY m.date, m.id
        ) TO STDOUT WITH (FORMAT csv, HEADER true)
    """


def _spend_sql(table: str) -> str:
    return f"""
        WITH periods AS ({RATE_PERIODS_SQL})
        SELECT sum({_SPEND}) FROM {table} m
        LEFT JOIN periods r ON m.date >= r.starts AND (r.ends IS NULL OR m.date < r.ends)
        WHERE m.client_id = %(client_id)s
    """


def _write_archive(buffer: IO[bytes], *, table: str, client_id: int) -> tuple[int, Decimal]:
    """Stream the client's rows of ``table`` into ``buffer`` as gzipped CSV (``COPY ... TO
    STDOUT``); returns how many rows were written and their summed spend."""
    # COPY takes no parameters: the id is an int, written in by hand.
    query = _archive_sql(table).replace("%(client_id)s", str(int(client_id)))
    with connection.cursor() as cursor:
        cursor.execute(_spend_sql(table), {"client_id": client_id})
        spend = cursor.fetchone()[0] or Decimal(0)
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no COPY
        with (
            gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=6) as compressed,
            raw.copy(query) as copy,
        ):
            for block in copy:
                compressed.write(block)
        written = raw.rowcount
    return written, spend


def read_archive(file_name: str) -> list[dict[str, str]]:
    """An archive's rows as dicts of text (for checks and for restoring by hand)."""
    with (
        default_storage.open(file_name, "rb") as stored,
        gzip.GzipFile(fileobj=stored) as compressed,
        io.TextIOWrapper(compressed, encoding="utf-8", newline="") as text,
    ):
        return list(csv.DictReader(text))
