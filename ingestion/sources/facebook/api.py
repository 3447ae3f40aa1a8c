"""Facebook uploads over the API: send an export, list past uploads."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from clients.models import Client
from clients.scoped_api import ScopedAPIView
from core.api import examples as ex
from core.api.pagination import PageNumberPagination
from ingestion.files import FileRefused
from ingestion.models.runs import RunStatus
from ingestion.selectors import row_errors, uploads_of
from ingestion.sources.facebook.models import FacebookUpload
from ingestion.sources.facebook.services import DuplicateUpload, facebook_upload_create


class UploadOutput(serializers.ModelSerializer):
    run_id = serializers.IntegerField(allow_null=True)
    rows_read = serializers.IntegerField(source="run.rows_read", default=0)
    rows_loaded = serializers.IntegerField(source="run.rows_loaded", default=0)
    rows_failed = serializers.IntegerField(source="run.rows_failed", default=0)
    rows_replaced = serializers.IntegerField(source="run.rows_replaced", default=0)
    message = serializers.CharField(source="run.message", default="")
    warnings = serializers.ListField(source="run.warnings", default=list)
    uploaded_by = serializers.CharField(source="uploaded_by.username", default=None)

    class Meta:
        model = FacebookUpload
        fields = [
            "id",
            "client_id",
            "original_name",
            "size_bytes",
            "status",
            "run_id",
            "rows_read",
            "rows_loaded",
            "rows_failed",
            "rows_replaced",
            "message",
            "warnings",
            "uploaded_by",
            "created_at",
        ]


class FacebookUploadView(ScopedAPIView):
    """Upload a Facebook/Meta export (.csv or .xlsx, at most 50 MB) and load it.

    A file over ``UPLOAD_INLINE_MAX_BYTES`` (5 MB by default) is checked as far as that needs no
    load, then queued: 202 with ``id``, ``status`` and ``status_url`` (GET it for the outcome).
    Otherwise 201 with the outcome (``loaded`` or ``partial``, with refused rows and why). 413
    for a file over the limit (refused before it is read); 422 when the file is refused (e.g. no
    daily breakdown); 409 when the same file was already uploaded.
    """

    parser_classes = [MultiPartParser]

    @extend_schema(
        request={
            "multipart/form-data": {
                "type": "object",
                "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "client_id": {"type": "integer"},
                },
                "required": ["file"],
            }
        },
        responses={201: UploadOutput},
        tags=["facebook"],
        examples=[ex.response("Loaded", {**ex.UPLOAD, "row_errors": ex.ROW_ERRORS}, status=201)],
    )
    def post(self, request: Request) -> Response:
        client = self._client(request)
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["Attach the export as 'file'."]})
        try:
            record = facebook_upload_create(
                client=client, upload=upload, by=self.user, queue_large=True
            )
        except DuplicateUpload as duplicate:
            return Response(
                {"detail": str(duplicate), "first_upload_id": duplicate.first.pk},
                status=status.HTTP_409_CONFLICT,
            )
        except FileRefused as refused:
            return Response({"detail": str(refused)}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
        if record.size_bytes > settings.UPLOAD_INLINE_MAX_BYTES:
            # Queued: a worker loads it; the status URL gives the outcome once loaded.
            return Response(
                {
                    "id": record.pk,
                    "status": record.status,
                    "status_url": request.build_absolute_uri(
                        reverse("api:facebook-upload-detail", args=[record.pk])
                    ),
                },
                status=status.HTTP_202_ACCEPTED,
            )
        body = (
            {**UploadOutput(record).data, "row_errors": row_errors(record.run)}
            if record.run
            else UploadOutput(record).data
        )
        if record.run is not None and record.run.status == RunStatus.FAILED:
            return Response(
                {**body, "detail": record.run.message}, status=status.HTTP_422_UNPROCESSABLE_ENTITY
            )
        return Response(body, status=status.HTTP_201_CREATED)

    def _client(self, request: Request) -> Client:
        client_id = request.data.get("client_id") or request.query_params.get("client_id")
        if self.user.is_admin and not client_id:
            raise ValidationError({"client_id": ["Admins must say which client this is for."]})
        if client_id:
            return self.client_or_404(client_id)
        return self.visible_clients().get()


class UploadDetailView(ScopedAPIView):
    """One Facebook upload of a client in scope: its status, and once loaded its outcome
    (``rows_loaded``, ``rows_failed``, the refused rows and why). The ``status_url`` a queued
    upload answers with."""

    @extend_schema(
        responses={200: UploadOutput},
        tags=["facebook"],
        examples=[ex.response("Loaded", {**ex.UPLOAD, "row_errors": ex.ROW_ERRORS})],
    )
    def get(self, request: Request, upload_id: int) -> Response:
        record = uploads_of(clients=self.visible_clients()).filter(pk=upload_id).first()
        if record is None:
            raise NotFound("No such upload.")
        body: dict[str, Any] = dict(UploadOutput(record).data)
        if record.run is not None and record.run.finished_at is not None:
            body = {**body, "row_errors": row_errors(record.run)}
        return Response(body)


class UploadListView(ScopedAPIView):
    """Past Facebook uploads of the clients in scope, newest first."""

    @extend_schema(
        responses={200: UploadOutput(many=True)},
        tags=["facebook"],
        parameters=[OpenApiParameter("client_id", int, required=False)],
        examples=[ex.response("Uploads", ex.page(ex.UPLOAD))],
    )
    def get(self, request: Request) -> Response:
        uploads = uploads_of(clients=self.requested_clients())
        page = self.paginator.paginate_queryset(uploads, request, view=self)
        return self.paginator.get_paginated_response(UploadOutput(page, many=True).data)

    paginator = PageNumberPagination()
