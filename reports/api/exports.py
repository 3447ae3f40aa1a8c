"""``exports/csv``, ``exports/xlsx`` and ``exports/pdf``: the range a user is looking at, as a file.

Scoped like every dashboard read (``MetricsReadView``: client users get their own client, a
``client_id`` they may not see is a 404 before anything else), and each export leaves an audit
entry. The queries are a fixed few whatever the number of rows: the CSV streams from a
server-side cursor, the XLSX is written row by row to a temporary file.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any, ClassVar

from django.db.models import Sum
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request

from accounts.audit import audit_record
from accounts.models import AuditAction
from campaigns.models import Source
from metrics.periods import DateRange
from metrics.selectors.summary import totals_with_previous
from metrics.visibility import sees_cost
from pacing.panel import pacing_panel
from reports.api.base import MetricsReadView
from reports.api.params import DashboardParams
from reports.charts import CHARTABLE, DEFAULT_CHART, chart_measures
from reports.exports import XLSX_MAX_ROWS, csv_lines, xlsx_file
from reports.pdf import report_pdf, report_pdf_name
from reports.selectors import (
    ExportColumn,
    export_columns,
    export_rows,
    export_rows_queryset,
    report_figures,
)
from reports.xlsx_screen import kpi_rows, screen_rows, totals_row

CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"

_SCOPE_NOTE = (
    "Client users always get their own client; admins get every client, or the one named by "
    "client_id (the id of a client the user may not see is a 404). Without dates: the 30 days "
    "that end yesterday (America/New_York); a bad date, a start after the end or a range over "
    "366 days is a 400. Every export is recorded in the audit log."
)
_ROWS_NOTE = (
    "One row per day x campaign x strategy x placement x creative, with the client and source and "
    "every measure: impressions, clicks, conversions, revenue, spend (billed at the client's "
    "CPM), CTR %, CPC, CPA and ROAS %. Agency admins also get what the source charged, in a "
    "column headed as the agency's cost (empty when the source reports none). Text cells that "
    "a spreadsheet would run as a formula (starting with =, +, -, "
    "@, TAB or CR) are prefixed with an apostrophe; control characters become spaces."
)
CSV_EXAMPLE = (
    "Date,Client,Source,Campaign,Strategy,Placement,Creative,Creative size,Impressions,Clicks,"
    "Conversions,Revenue,Spend,CTR %,CPC,CPA,ROAS %\r\n"
    "2025-10-01,Acme Foods,surfside,Fall Sale,Retargeting,Homepage,Banner A,300x250,270000,600,"
    "30,4500.000000,4050.000000,0.222222,6.750000,135.000000,111.111111\r\n"
)


class ExportParams(DashboardParams):
    """The range and scope of an export (``source`` narrows it to one source)."""

    chart = serializers.CharField(
        required=False,
        help_text=(
            "PDF only: the measures of the trend chart, one or two of "
            f"{', '.join(CHARTABLE)}, comma-separated (bars, then line), as on the dashboard. "
            f"Default: {','.join(DEFAULT_CHART)}."
        ),
    )


class FileRenderer(BaseRenderer):
    """Lets a client ask for the file's type in ``Accept``; errors are still JSON."""

    charset = None

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if isinstance(data, bytes):
            return data
        return JSONRenderer().render(data)


class CsvRenderer(FileRenderer):
    media_type = CSV_TYPE
    format = "csv"


class XlsxRenderer(FileRenderer):
    media_type = XLSX_TYPE
    format = "xlsx"


class PdfRenderer(FileRenderer):
    media_type = PDF_TYPE
    format = "pdf"


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
    def columns(self) -> tuple[ExportColumn, ...]:
        """The export's columns: the agency's cost only for admins (``metrics.visibility``)."""
        return export_columns(with_cost=sees_cost(self.user))

    def rows(self) -> Iterator[tuple[Any, ...]]:
        return export_rows(
            clients=self.clients,
            date_range=self.date_range,
            columns=self.columns,
            source=self.source,
        )

    def file_name(self, extension: str) -> str:
        names = self.client_names
        stem = names[0][1] if len(names) == 1 else "all-clients"
        source = f"-{self.source}" if self.source else ""
        return (
            f"metrics-{stem}{source}-{self.date_range.start.isoformat()}-"
            f"{self.date_range.end.isoformat()}.{extension}"
        )

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
            },
        )


def _file_schema(media_type: str, description: str, example: OpenApiExample) -> Any:
    return extend_schema(
        parameters=[ExportParams],
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
        f"The daily metrics of the range as CSV (UTF-8 with a byte order mark), streamed. "
        f"{_ROWS_NOTE} Numbers keep their stored precision (6 decimal places).",
        OpenApiExample("CSV", value=CSV_EXAMPLE, media_type=CSV_TYPE, response_only=True),
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        rows = self.rows()
        self.audit()
        response = StreamingHttpResponse(
            csv_lines([column.heading for column in self.columns], rows),
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
        f"full precision kept). {_ROWS_NOTE} A range with more rows than a sheet holds "
        f"({XLSX_MAX_ROWS - 1:,}) is a 400: export CSV or a shorter range.",
        OpenApiExample(
            "XLSX",
            value="(binary XLSX workbook)",
            media_type=XLSX_TYPE,
            response_only=True,
        ),
    )
    def get(self, request: Request) -> FileResponse:
        rows = export_rows_queryset(
            clients=self.clients, date_range=self.date_range, source=self.source
        )
        count = rows.count()
        if count >= XLSX_MAX_ROWS:
            raise serializers.ValidationError(
                f"The range holds {count:,} rows; a spreadsheet holds at most "
                f"{XLSX_MAX_ROWS - 1:,}. Export CSV, or a shorter range."
            )
        self.audit()
        paths = [column.path for column in self.columns]
        current, previous = totals_with_previous(
            clients=self.clients, date_range=self.date_range, source=self.source
        )
        cost = (
            {"source_spend": rows.aggregate(cost=Sum("source_spend"))["cost"]}
            if "source_spend" in paths
            else {}
        )
        workbook = xlsx_file(
            sheet_title="Daily metrics",
            headers=[column.heading for column in self.columns],
            kinds=[column.kind for column in self.columns],
            widths=[column.width for column in self.columns],
            rows=screen_rows(paths, self.rows()),
            totals=totals_row(paths, current, cost),
            first_sheet=(
                "Summary",
                [
                    "Measure",
                    _range_heading(self.date_range),
                    _range_heading(self.date_range.previous()),
                ],
                kpi_rows(current, previous),
            ),
        )
        return FileResponse(
            workbook, as_attachment=True, filename=self.file_name("xlsx"), content_type=XLSX_TYPE
        )


def _range_heading(date_range: DateRange) -> str:
    return f"{date_range.start.isoformat()} to {date_range.end.isoformat()}"


class PdfExportView(ExportView):
    """The range as a PDF report a client would forward."""

    export_format = "pdf"
    renderer_classes = [JSONRenderer, PdfRenderer]

    @_file_schema(
        PDF_TYPE,
        "The range as a PDF report: the client and period, key figures against the previous "
        "period of equal length (CTR and ROAS in percentage points), a daily trend chart of "
        "impressions and spend, top campaigns by conversions and by revenue, top creatives, "
        "underperforming creatives, and which sources' data is still missing.",
        OpenApiExample(
            "PDF", value="(binary PDF document)", media_type=PDF_TYPE, response_only=True
        ),
    )
    def get(self, request: Request) -> HttpResponse:
        figures = report_figures(
            clients=self.clients, date_range=self.date_range, source=self.source
        )
        names = self.client_names
        client_name = names[0][2] if len(names) == 1 else f"All clients ({len(names)})"
        self.audit()
        pdf = report_pdf(
            figures=figures,
            client_name=client_name,
            title="Performance report",
            source_label=Source(self.source).label if self.source else "",
            chart=chart_measures(self.params.get("chart")),
            pacing_rows=pacing_panel(
                clients=self.clients, start=self.date_range.start, end=self.date_range.end
            ),
        )
        response = HttpResponse(pdf, content_type=PDF_TYPE)
        stem = names[0][1] if len(names) == 1 else "all-clients"
        response["Content-Disposition"] = (
            f'attachment; filename="{report_pdf_name(stem, self.date_range)}"'
        )
        return response
