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

from django.conf import settings
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.audit import audit_record
from accounts.models import AuditAction
from annotations.selectors import chart_annotations
from campaigns.models import Source
from clients.scoped_api import ScopedAPIView
from metrics.periods import DateRange
from metrics.visibility import sees_cost
from pacing.panel import pacing_panel
from reports.api.base import MetricsReadView
from reports.api.params import DashboardParams
from reports.charts import CHARTABLE, DEFAULT_CHART, chart_measures
from reports.export_files import xlsx_export_file
from reports.export_jobs import export_job_create
from reports.exports import XLSX_MAX_ROWS, csv_lines
from reports.models import ExportJob, ExportStatus
from reports.pdf import report_pdf, report_pdf_name
from reports.selectors import (
    ExportColumn,
    export_columns,
    export_rows,
    export_rows_queryset,
    report_figures,
)

CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"

_SCOPE_NOTE = (
    "Client users always get their own client; admins get every client, or the one named by "
    "client_id (the id of a client the user may not see is a 404). Without dates: the 30 days "
    "that end yesterday (America/New_York); a bad date, a start after the end or a start in a "
    "month whose detail retention has archived (13 months are kept) is a 400 that says so. "
    "Every export is recorded in the audit log."
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

    detail = True  # creative x day rows: not before the months retention archived

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

    def queued_if_large(self, count: int | None = None) -> Response | None:
        """A range over ``EXPORT_INLINE_MAX_ROWS`` rows is built by a worker: 202 with the
        job's ``status_url``. ``count``: the rows, when the caller counted them already (else
        counted only up to the limit)."""
        limit = settings.EXPORT_INLINE_MAX_ROWS
        if count is None:
            rows = export_rows_queryset(
                clients=self.clients, date_range=self.date_range, source=self.source
            )
            count = rows.order_by()[: limit + 1].count()
        if count <= limit:
            return None
        self.audit()
        job = export_job_create(
            by=self.user,
            export_format=self.export_format,
            client_ids=[pk for pk, _, _ in self.client_names],
            date_range=self.date_range,
            source=self.source,
            file_name=self.file_name(self.export_format),
        )
        return Response(
            {"id": job.pk, "status": job.status, "status_url": _status_url(self.request, job)},
            status=status.HTTP_202_ACCEPTED,
            content_type="application/json",
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
    def get(self, request: Request) -> StreamingHttpResponse | Response:
        queued = self.queued_if_large()
        if queued is not None:
            return queued
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
    def get(self, request: Request) -> FileResponse | Response:
        rows = export_rows_queryset(
            clients=self.clients, date_range=self.date_range, source=self.source
        )
        count = rows.count()
        if count >= XLSX_MAX_ROWS:
            raise serializers.ValidationError(
                f"The range holds {count:,} rows; a spreadsheet holds at most "
                f"{XLSX_MAX_ROWS - 1:,}. Export CSV, or a shorter range."
            )
        queued = self.queued_if_large(count)
        if queued is not None:
            return queued
        self.audit()
        workbook = xlsx_export_file(
            clients=self.clients,
            date_range=self.date_range,
            source=self.source,
            columns=self.columns,
        )
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
            annotations=chart_annotations(
                clients=self.clients,
                start=self.date_range.start,
                end=self.date_range.end,
                source=self.source,
                internal=self.user.is_admin,
                name_clients=len(names) > 1,
            ),
        )
        response = HttpResponse(pdf, content_type=PDF_TYPE)
        stem = names[0][1] if len(names) == 1 else "all-clients"
        response["Content-Disposition"] = (
            f'attachment; filename="{report_pdf_name(stem, self.date_range)}"'
        )
        return response


def _status_url(request: Request, job: ExportJob) -> str:
    return request.build_absolute_uri(reverse("api:export-job", args=[job.pk]))


class ExportJobView(ScopedAPIView):
    """A queued export: its status, and once built its ``download_url`` (for a day). Only the
    person who asked sees it, and only while they may still see every client in it."""

    def job(self, job_id: int) -> ExportJob:
        job = ExportJob.objects.filter(pk=job_id, requested_by=self.user).first()
        visible = set(self.visible_clients().values_list("pk", flat=True))
        if job is None or not set(job.client_ids) <= visible:
            raise NotFound("No such export.")
        return job

    @extend_schema(
        tags=["exports"],
        responses={200: OpenApiTypes.OBJECT},
        examples=[
            OpenApiExample(
                "Ready",
                value={
                    "id": 7,
                    "status": "ready",
                    "format": "csv",
                    "rows": 1500000,
                    "message": "",
                    "expires_at": "2025-12-19T15:40:00Z",
                    "download_url": "https://dashboard.example/api/v1/exports/jobs/7/download",
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, job_id: int) -> Response:
        job = self.job(job_id)
        ready = job.status == ExportStatus.READY and not _expired(job)
        body: dict[str, Any] = {
            "id": job.pk,
            "status": "expired" if job.status == ExportStatus.READY and not ready else job.status,
            "format": job.export_format,
            "rows": job.rows,
            "message": job.message,
            "expires_at": job.expires_at,
        }
        if ready:
            body["download_url"] = request.build_absolute_uri(
                reverse("api:export-job-download", args=[job.pk])
            )
        return Response(body)


class ExportJobDownloadView(ExportJobView):
    """The built file of a queued export, for a day after it was built."""

    renderer_classes = [JSONRenderer, CsvRenderer, XlsxRenderer]

    @extend_schema(
        tags=["exports"],
        responses={(200, CSV_TYPE): OpenApiTypes.BINARY, (200, XLSX_TYPE): OpenApiTypes.BINARY},
        examples=[
            OpenApiExample("CSV", value=CSV_EXAMPLE, media_type=CSV_TYPE, response_only=True)
        ],
    )
    def get(self, request: Request, job_id: int) -> Any:
        job = self.job(job_id)
        if job.status != ExportStatus.READY:
            raise NotFound("This export is not ready; its status URL says how it stands.")
        if _expired(job):
            return Response(
                {
                    "detail": "This export expired (exports can be downloaded for a day). Ask for "
                    "it again."
                },
                status=status.HTTP_410_GONE,
                content_type="application/json",
            )
        content_type = XLSX_TYPE if job.export_format == "xlsx" else CSV_TYPE
        return FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=job.file_name,
            content_type=content_type,
        )


def _expired(job: ExportJob) -> bool:
    return job.expires_at is not None and job.expires_at <= timezone.now()
