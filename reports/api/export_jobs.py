"""Queued exports (SPEC 8): a job's status (``status_url``) and, once built, its file
(``download_url``, for a day), and the renderers that let a client ask for a file's type."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from clients.scoped_api import ScopedAPIView
from reports.models import ExportJob, ExportStatus

CSV_TYPE = "text/csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"
CONTENT_TYPES = {"csv": CSV_TYPE, "xlsx": XLSX_TYPE, "pdf": PDF_TYPE}
CSV_EXAMPLE = (
    "Date,Client,Source,Campaign,Strategy,Placement,Creative,Creative size,Impressions,Clicks,"
    "Conversions,Revenue,Spend,CTR %,CPC,CPA,ROAS %\n"
    "2025-10-01,Acme Foods,surfside,Fall Sale,Retargeting,Homepage,Banner A,300x250,270000,600,"
    "30,4500.000000,4050.000000,0.222222,6.750000,135.000000,111.111111\n"
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


def status_url(request: Request, job: ExportJob) -> str:
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

    renderer_classes = [JSONRenderer, CsvRenderer, XlsxRenderer, PdfRenderer]

    @extend_schema(
        tags=["exports"],
        responses={
            (200, CSV_TYPE): OpenApiTypes.BINARY,
            (200, XLSX_TYPE): OpenApiTypes.BINARY,
            (200, PDF_TYPE): OpenApiTypes.BINARY,
        },
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
        content_type = CONTENT_TYPES.get(job.export_format, CSV_TYPE)
        return FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=job.file_name,
            content_type=content_type,
        )


def _expired(job: ExportJob) -> bool:
    return job.expires_at is not None and job.expires_at <= timezone.now()
