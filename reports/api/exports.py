"""``exports/csv``, ``exports/xlsx`` and ``exports/pdf``: the range a user is looking at, as a file.

Scoped like every dashboard read (``MetricsReadView``: client users get their own client, a
``client_id`` they may not see is a 404 before anything else), and each export leaves an audit
entry. ``grain`` says what one row is (``reports.export_sql``), and the row count that decides
between the file and a queued job (202) is counted at that grain. The queries do not grow with
the rows: the CSV is PostgreSQL's ``COPY`` streamed as it comes and the XLSX reads server-side
cursors (one statement per day at the detail grain), written row by row to a temporary file.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from django.conf import settings
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.audit import audit_record
from accounts.models import AuditAction
from metrics.periods import DateRange
from metrics.visibility import sees_cost
from reports import exports as sheets
from reports.api import examples
from reports.api.base import MetricsReadView
from reports.api.export_jobs import (  # noqa: F401 - the URLs find them here
    CSV_EXAMPLE,
    CSV_TYPE,
    PDF_TYPE,
    XLSX_TYPE,
    CsvRenderer,
    ExportJobDownloadView,
    ExportJobView,
    PdfRenderer,
    XlsxRenderer,
    status_url,
)
from reports.api.params import ComparisonParams, DashboardParams
from reports.charts import CHARTABLE, DEFAULT_CHART
from reports.export_files import csv_export_chunks, pdf_export_file, xlsx_export_file
from reports.export_jobs import export_job_create
from reports.export_sql import DEFAULT_GRAIN, ExportQuery, Grain
from reports.pdf import report_pdf_name
from reports.selectors import ExportColumn, export_columns

_SCOPE_NOTE = (
    "Client users always get their own client; admins get every client, or the one named by "
    "client_id (the id of a client the user may not see is a 404). Without dates: the 30 days "
    "that end yesterday (America/New_York); a bad date, a start after the end or a start in a "
    "month whose detail retention has archived (13 months are kept) is a 400 that says so. "
    "Every export is recorded in the audit log."
)
_GRAINS_TEXT = "; ".join(f"{grain.value}: {grain.description}" for grain in Grain)
_ROWS_NOTE = (
    f"The grain parameter says what one row is ({_GRAINS_TEXT}; default {DEFAULT_GRAIN.value}); "
    "each row has the client, source and names of its grain and "
    "every measure: impressions, clicks, conversions, revenue, spend (billed at the client's "
    "CPM), CTR %, CPC, CPA and ROAS % (of the row's sums). Agency admins also get what the "
    "source charged, in a "
    "column headed as the agency's cost (empty when the source reports none). Text cells that "
    "a spreadsheet would run as a formula (starting with =, +, -, "
    "@, TAB or CR) are prefixed with an apostrophe; control characters become spaces."
)


class ExportParams(ComparisonParams, DashboardParams):
    """The range and scope of an export (``source`` narrows it to one source), its grain, and
    what the PDF's and the XLSX key figures' changes compare with."""

    grain = serializers.ChoiceField(
        choices=[grain.value for grain in Grain],
        required=False,
        default=DEFAULT_GRAIN.value,
        help_text=f"CSV and XLSX: what one row is. {_GRAINS_TEXT}. Default: {DEFAULT_GRAIN.value}.",
        error_messages={
            "invalid_choice": (
                f'"{{input}}" is not a grain; use one of {", ".join(Grain)} ({_GRAINS_TEXT}).'
            )
        },
    )

    detail = True  # creative x day rows: not before the months retention archived

    chart = serializers.CharField(
        required=False,
        help_text=(
            "PDF only: the measures of the trend chart, one or two of "
            f"{', '.join(CHARTABLE)}, comma-separated (bars, then line), as on the dashboard. "
            f"Default: {','.join(DEFAULT_CHART)}."
        ),
    )


_QUEUE_NOTE = (
    "Up to EXPORT_INLINE_MAX_ROWS rows (default 200,000, counted at the grain asked for) the "
    "file is the response; a larger export is queued: 202 with status_url, whose GET gives "
    "download_url once a worker built the file (downloadable for a day)."
)


class ExportView(MetricsReadView):
    """What the three exports share: parameters, the clients' names, the file name, the audit."""

    export_format: ClassVar[str]

    @cached_property
    def params(self) -> dict[str, Any]:
        return self.read_params(ExportParams)

    @property
    def date_range(self) -> DateRange:
        return self.params["date_range"]

    @property
    def source(self) -> str | None:
        return self.params.get("source")

    @cached_property
    def client_names(self) -> list[tuple[int, str, str]]:
        """(id, slug, name) of every client in the export, in one query."""
        return list(self.clients.order_by("name").values_list("pk", "slug", "name"))

    @cached_property
    def query(self) -> ExportQuery:
        """What the export holds. A PDF reads the detail rows whatever the grain."""
        grain = Grain(self.params["grain"]) if self.export_format != "pdf" else DEFAULT_GRAIN
        return ExportQuery(
            client_ids=tuple(pk for pk, _, _ in self.client_names),
            date_range=self.date_range,
            source=self.source,
            grain=grain,
            comparison=self.params["comparison"],
        )

    @cached_property
    def columns(self) -> tuple[ExportColumn, ...]:
        """The export's columns: the agency's cost only for admins (``metrics.visibility``)."""
        return export_columns(with_cost=sees_cost(self.user))

    def file_name(self, extension: str) -> str:
        names = self.client_names
        stem = names[0][1] if len(names) == 1 else "all-clients"
        source = f"-{self.source}" if self.source else ""
        grain = "" if self.query.grain is DEFAULT_GRAIN else f"-{self.query.grain.value}"
        return (
            f"metrics-{stem}{source}{grain}-{self.date_range.start.isoformat()}-"
            f"{self.date_range.end.isoformat()}.{extension}"
        )

    def queued_if_large(self, count: int | None = None) -> Response | None:
        """A range over ``EXPORT_INLINE_MAX_ROWS`` rows is built by a worker: 202 with the
        job's ``status_url``. ``count``: the rows, when the caller counted them already (else
        counted only up to the limit)."""
        limit = settings.EXPORT_INLINE_MAX_ROWS
        if count is None:
            count = self.query.count(limit + 1)
        if count <= limit:
            return None
        self.audit()
        job = export_job_create(
            by=self.user,
            export_format=self.export_format,
            client_ids=[pk for pk, _, _ in self.client_names],
            date_range=self.date_range,
            source=self.source,
            file_name=self.pdf_name()
            if self.export_format == "pdf"
            else self.file_name(self.export_format),
            grain=self.query.grain.value,
            chart=self.params.get("chart") or "",
            comparison=self.query.comparison.value,
        )
        return Response(
            {"id": job.pk, "status": job.status, "status_url": status_url(self.request, job)},
            status=status.HTTP_202_ACCEPTED,
            content_type="application/json",
        )

    def pdf_name(self) -> str:
        names = self.client_names
        return report_pdf_name(names[0][1] if len(names) == 1 else "all-clients", self.date_range)

    def audit(self) -> None:
        audit_record(
            actor=self.user,
            action=AuditAction.EXPORT,
            entity_type="export",
            entity_label=(f"{self.export_format} {self.date_range.start} to {self.date_range.end}"),
            new={
                "format": self.export_format,
                "start_date": self.date_range.start.isoformat(),
                "end_date": self.date_range.end.isoformat(),
                "client_ids": [pk for pk, _, _ in self.client_names],
                "source": self.source or "all",
                "grain": self.query.grain.value,
            },
        )


def _file_schema(media_type: str, description: str, example: OpenApiExample) -> Any:
    return extend_schema(
        parameters=[ExportParams, examples.comparison_parameter()],
        responses={
            (200, media_type): OpenApiResponse(
                response=OpenApiTypes.STR if media_type == CSV_TYPE else OpenApiTypes.BINARY,
                description=description,
                examples=[example],
            ),
        },
        description=f"{description} {_SCOPE_NOTE}",
        tags=["exports"],
    )


class CsvExportView(ExportView):
    """Every metric row of the range as CSV, streamed."""

    export_format = "csv"
    renderer_classes = [JSONRenderer, CsvRenderer]

    @_file_schema(
        CSV_TYPE,
        f"The metrics of the range as CSV (UTF-8 with a byte order mark, lines ending in LF), "
        f"streamed from the database. {_ROWS_NOTE} Raw values at full precision (6 decimal "
        f"places), no totals row. {_QUEUE_NOTE}",
        OpenApiExample("CSV", value=CSV_EXAMPLE, media_type=CSV_TYPE, response_only=True),
    )
    def get(self, request: Request) -> StreamingHttpResponse | Response:
        queued = self.queued_if_large()
        if queued is not None:
            return queued
        self.audit()
        response = StreamingHttpResponse(
            csv_export_chunks(query=self.query, columns=self.columns),
            content_type=f"{CSV_TYPE}; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{self.file_name("csv")}"'
        return response


class XlsxExportView(ExportView):
    """Every metric row of the range as an Excel workbook."""

    export_format = "xlsx"
    renderer_classes = [JSONRenderer, XlsxRenderer]

    @_file_schema(
        XLSX_TYPE,
        f"The daily metrics of the range as an Excel workbook (one sheet, header row frozen; "
        f"dates as dates, counts with thousands separators, money with 2 decimals shown and "
        f"full precision kept; CTV's clicks, CTR and CPC as n/a), a Summary sheet with the "
        f"KPIs and a totals row. {_ROWS_NOTE} More rows than a sheet holds "
        f"({sheets.XLSX_MAX_ROWS - 1:,}) continue on sheets named Data 1, Data 2..., with the "
        f"totals on a Totals sheet; more than {sheets.XLSX_MAX_SHEETS} such sheets is a 400: "
        f"export CSV, a coarser grain or a shorter range. {_QUEUE_NOTE}",
        OpenApiExample(
            "XLSX",
            value="(binary XLSX workbook)",
            media_type=XLSX_TYPE,
            response_only=True,
        ),
    )
    def get(self, request: Request) -> FileResponse | Response:
        most = sheets.xlsx_max_rows()
        count = self.query.count(most + 1)
        if count > most:
            raise serializers.ValidationError(
                f"The range holds more than {most:,} rows at grain {self.query.grain.value}; an "
                f"XLSX export holds at most {sheets.XLSX_MAX_SHEETS} sheets of "
                f"{sheets.XLSX_MAX_ROWS - 1:,}. "
                "Export CSV, a coarser grain (campaign_day or campaign), or a shorter range."
            )
        queued = self.queued_if_large(min(count, settings.EXPORT_INLINE_MAX_ROWS + 1))
        if queued is not None:
            return queued
        self.audit()
        workbook = xlsx_export_file(query=self.query, columns=self.columns)
        return FileResponse(
            workbook, as_attachment=True, filename=self.file_name("xlsx"), content_type=XLSX_TYPE
        )


class PdfExportView(ExportView):
    """The range as a PDF report a client would forward."""

    export_format = "pdf"
    renderer_classes = [JSONRenderer, PdfRenderer]

    @_file_schema(
        PDF_TYPE,
        "The range as a PDF report: the client and period, key figures against the previous "
        "period of equal length (CTR and ROAS in percentage points), a daily trend chart of "
        "impressions and spend, top campaigns by conversions and by revenue, top creatives, "
        "underperforming creatives, and which sources' data is still missing. A range over "
        "EXPORT_INLINE_MAX_ROWS detail rows is queued (202) like the other exports.",
        OpenApiExample(
            "PDF", value="(binary PDF document)", media_type=PDF_TYPE, response_only=True
        ),
    )
    def get(self, request: Request) -> HttpResponse | Response:
        queued = self.queued_if_large()
        if queued is not None:
            return queued
        self.audit()
        pdf = pdf_export_file(
            query=self.query, chart=self.params.get("chart"), internal=self.user.is_admin
        )
        response = HttpResponse(pdf, content_type=PDF_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{self.pdf_name()}"'
        return response
