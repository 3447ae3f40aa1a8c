"""The CSV and XLSX export files, built the same inline (in the request) and by a worker (a
queued export): the columns come from what the reader may see (``metrics.visibility``)."""

from __future__ import annotations

from typing import IO

from django.db.models import QuerySet, Sum

from clients.models import Client
from metrics.periods import DateRange
from metrics.selectors.summary import totals_with_previous
from metrics.visibility import sees_cost
from reports.export_jobs import csv_file
from reports.exports import csv_lines, xlsx_file
from reports.models import ExportJob
from reports.selectors import ExportColumn, export_columns, export_rows, export_rows_queryset
from reports.xlsx_screen import kpi_rows, screen_rows, totals_row


def range_heading(date_range: DateRange) -> str:
    return f"{date_range.start.isoformat()} to {date_range.end.isoformat()}"


def xlsx_export_file(
    *,
    clients: QuerySet[Client],
    date_range: DateRange,
    source: str | None,
    columns: tuple[ExportColumn, ...],
) -> IO[bytes]:
    """The XLSX export as the screen shows it: a Summary sheet with the KPIs, then every row of
    the range with a totals row (inline, or built by a worker for a queued export)."""
    rows = export_rows_queryset(clients=clients, date_range=date_range, source=source)
    paths = [column.path for column in columns]
    current, previous = totals_with_previous(clients=clients, date_range=date_range, source=source)
    cost = (
        {"source_spend": rows.aggregate(cost=Sum("source_spend"))["cost"]}
        if "source_spend" in paths
        else {}
    )
    return xlsx_file(
        sheet_title="Daily metrics",
        headers=[column.heading for column in columns],
        kinds=[column.kind for column in columns],
        widths=[column.width for column in columns],
        rows=screen_rows(
            paths,
            export_rows(clients=clients, date_range=date_range, columns=columns, source=source),
        ),
        totals=totals_row(paths, current, cost),
        first_sheet=(
            "Summary",
            ["Measure", range_heading(date_range), range_heading(date_range.previous())],
            kpi_rows(current, previous),
        ),
    )


def export_job_file(job: ExportJob) -> IO[bytes]:
    """The file of a queued export, built by a worker exactly as the inline one, with the
    columns its requester may see (the agency's cost for admins only)."""
    clients = Client.objects.filter(pk__in=job.client_ids)
    date_range = DateRange(job.start_date, job.end_date)
    columns = export_columns(with_cost=sees_cost(job.requested_by))
    source = job.source or None
    if job.export_format == "xlsx":
        return xlsx_export_file(
            clients=clients, date_range=date_range, source=source, columns=columns
        )
    return csv_file(
        csv_lines(
            [column.heading for column in columns],
            export_rows(clients=clients, date_range=date_range, columns=columns, source=source),
        )
    )
