"""The CSV, XLSX and PDF export files, built the same inline (in the request) and by a worker (a
queued export): the columns come from what the reader may see (``metrics.visibility``) and the
grain asked for (``reports.export_sql``)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from typing import IO

from django.db.models import QuerySet, Sum

from annotations.selectors import chart_annotations
from campaigns.models import Source
from clients.models import Client
from metrics.comparison import ComparisonMode
from metrics.periods import DateRange
from metrics.selectors.comparison import comparison
from metrics.visibility import sees_cost
from pacing.panel import pacing_panel
from reports.charts import chart_measures
from reports.export_sql import ExportQuery, Grain, copy_csv, grain_columns, select_rows
from reports.exports import xlsx_file
from reports.models import ExportJob
from reports.pdf import report_pdf
from reports.selectors import (
    ExportColumn,
    export_columns,
    export_rows_queryset,
    report_figures,
)
from reports.xlsx_screen import kpi_headers, kpi_rows, screen_rows, totals_row

SHEET_TITLES = {
    Grain.CREATIVE_DAY: "Daily metrics",
    Grain.CAMPAIGN_DAY: "Campaigns by day",
    Grain.CAMPAIGN: "Campaigns",
}


def query_clients(query: ExportQuery) -> QuerySet[Client]:
    return Client.objects.filter(pk__in=query.client_ids)


def xlsx_export_file(*, query: ExportQuery, columns: tuple[ExportColumn, ...]) -> IO[bytes]:
    """The XLSX export as the screen shows it: a Summary sheet with the KPIs, then every row of
    the range at the query's grain with a totals row (inline, or built by a worker)."""
    columns = grain_columns(columns, query.grain)
    clients = query_clients(query)
    paths = [column.path for column in columns]
    compared = comparison(
        clients=clients, date_range=query.date_range, mode=query.comparison, source=query.source
    )
    cost = {}
    if "source_spend" in paths:
        detail = export_rows_queryset(
            clients=clients, date_range=query.date_range, source=query.source
        )
        cost = {"source_spend": detail.aggregate(cost=Sum("source_spend"))["cost"]}
    return xlsx_file(
        sheet_title=SHEET_TITLES[query.grain],
        headers=[column.heading for column in columns],
        kinds=[column.kind for column in columns],
        widths=[column.width for column in columns],
        rows=screen_rows(paths, select_rows(query, columns)),
        totals=totals_row(paths, compared.total, cost),
        first_sheet=("Summary", kpi_headers(compared), kpi_rows(compared)),
    )


def csv_export_chunks(*, query: ExportQuery, columns: tuple[ExportColumn, ...]) -> Iterable[bytes]:
    """The CSV export (raw values, full precision, no totals), streamed from ``COPY``."""
    return copy_csv(query, grain_columns(columns, query.grain))


def pdf_export_file(*, query: ExportQuery, chart: str | None, internal: bool) -> bytes:
    """The PDF report of the range (inline, or built by a worker when the range is large).
    ``internal``: the chart marks the agency's internal annotations too (an admin asked)."""
    clients = query_clients(query)
    names = list(clients.order_by("name").values_list("name", flat=True))
    client_name = names[0] if len(names) == 1 else f"All clients ({len(names)})"
    figures = report_figures(
        clients=clients, date_range=query.date_range, mode=query.comparison, source=query.source
    )
    return report_pdf(
        figures=figures,
        client_name=client_name,
        title="Performance report",
        source_label=Source(query.source).label if query.source else "",
        chart=chart_measures(chart),
        pacing_rows=pacing_panel(
            clients=clients, start=query.date_range.start, end=query.date_range.end
        ),
        annotations=chart_annotations(
            clients=clients,
            start=query.date_range.start,
            end=query.date_range.end,
            source=query.source,
            internal=internal,
            name_clients=len(names) > 1,
        ),
    )


def job_query(job: ExportJob) -> ExportQuery:
    return ExportQuery(
        client_ids=tuple(job.client_ids),
        date_range=DateRange(job.start_date, job.end_date),
        source=job.source or None,
        grain=Grain(job.grain),
        comparison=ComparisonMode(job.comparison),
    )


def export_job_file(job: ExportJob) -> IO[bytes]:
    """The file of a queued export, built by a worker exactly as the inline one, with the
    columns its requester may see (the agency's cost for admins only)."""
    query = job_query(job)
    columns = export_columns(with_cost=sees_cost(job.requested_by))
    if job.export_format == "xlsx":
        return xlsx_export_file(query=query, columns=columns)
    output = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it
    if job.export_format == "pdf":
        output.write(
            pdf_export_file(
                query=query, chart=job.chart or None, internal=job.requested_by.is_admin
            )
        )
    else:
        for chunk in csv_export_chunks(query=query, columns=columns):
            output.write(chunk)
    output.seek(0)
    return output
