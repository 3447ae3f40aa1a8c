"""Ingestion endpoints: Facebook uploads, the Surfside connection, and the admins' operations
API (ingestion logs, triggers, backfills)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.audit import audit_record
from accounts.models import AuditAction
from campaigns.models import Source
from clients.models import Client
from clients.scoping import get_client_or_404
from dashboard_project.api import examples as ex
from dashboard_project.api.base import ScopedAPIView
from dashboard_project.api.pagination import PageNumberPagination
from dashboard_project.api.params import optional_date
from dashboard_project.api.permissions import IsAgencyAdmin
from dashboard_project.api.serializers import StrictSerializer
from ingestion import services
from ingestion.backfill import backfill_create
from ingestion.models import (
    BackfillJob,
    FacebookUpload,
    IngestionRun,
    RunStatus,
    RunTrigger,
    StagingRow,
    SurfsideConnection,
)
from ingestion.pipeline import start_run
from ingestion.tasks import queue
from ingestion.vibe.selectors import vibe_connection_for
from ingestion.vibe.services import report_request_create

ROW_ERRORS_SHOWN = 100


class IngestionRunOutput(serializers.ModelSerializer):
    client_name = serializers.CharField(source="client.name")
    resolved_by = serializers.CharField(source="resolved_by.username", default=None)

    class Meta:
        model = IngestionRun
        fields = [
            "id",
            "client_id",
            "client_name",
            "source",
            "status",
            "trigger",
            "requested_date",
            "date_from",
            "date_to",
            "file_name",
            "rows_read",
            "rows_loaded",
            "rows_failed",
            "rows_replaced",
            "started_at",
            "finished_at",
            "timings",
            "message",
            "warnings",
            "resolution_status",
            "resolution_notes",
            "resolved_by",
            "resolved_at",
            "rerun_of",
            "refused",
        ]


def row_errors(run: IngestionRun, limit: int = ROW_ERRORS_SHOWN) -> list[dict[str, Any]]:
    rows = StagingRow.objects.filter(run=run, is_valid=False).order_by("row_number")[:limit]
    return [{"row": row.row_number, "errors": row.errors or []} for row in rows]


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

    201 with the outcome (``loaded`` or ``partial``, with refused rows and why); 413 for a file
    over the limit (refused before it is read); 422 when the file is refused (e.g. no daily
    breakdown); 409 when the same file was already uploaded.
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
            record = services.facebook_upload_create(client=client, upload=upload, by=self.user)
        except services.DuplicateUpload as duplicate:
            return Response(
                {"detail": str(duplicate), "first_upload_id": duplicate.first.pk},
                status=status.HTTP_409_CONFLICT,
            )
        except services.FileRefused as refused:
            return Response({"detail": str(refused)}, status=status.HTTP_422_UNPROCESSABLE_ENTITY)
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
            return get_client_or_404(self.user, client_id)
        return self.visible_clients().get()


class UploadListView(ScopedAPIView):
    """Past Facebook uploads of the clients in scope, newest first."""

    @extend_schema(
        responses={200: UploadOutput(many=True)},
        tags=["facebook"],
        parameters=[OpenApiParameter("client_id", int, required=False)],
        examples=[ex.response("Uploads", ex.page(ex.UPLOAD))],
    )
    def get(self, request: Request) -> Response:
        uploads = FacebookUpload.objects.filter(client__in=self.requested_clients())
        uploads = uploads.select_related("run", "uploaded_by").order_by("-created_at")
        page = self.paginator.paginate_queryset(uploads, request, view=self)
        return self.paginator.get_paginated_response(UploadOutput(page, many=True).data)

    paginator = PageNumberPagination()


class SurfsideConnectionInput(StrictSerializer):
    bucket = serializers.CharField(max_length=255)
    prefix = serializers.CharField(max_length=512, allow_blank=True, default="")
    file_pattern = serializers.CharField(max_length=255)
    campaign_name = serializers.CharField(max_length=255, allow_blank=True, default="")
    is_enabled = serializers.BooleanField(default=True)


class SurfsideConnectionOutput(serializers.ModelSerializer):
    class Meta:
        model = SurfsideConnection
        fields = [
            "client_id",
            "bucket",
            "prefix",
            "file_pattern",
            "campaign_name",
            "is_enabled",
            "updated_at",
        ]


class SurfsideConnectionView(ScopedAPIView):
    """Where a client's daily Surfside files are delivered (admins only)."""

    permission_classes = [IsAgencyAdmin]

    @extend_schema(
        request=SurfsideConnectionInput,
        responses={200: SurfsideConnectionOutput},
        examples=[
            OpenApiExample(
                "Connection",
                value={
                    "bucket": "agency-surfside",
                    "prefix": "acme/",
                    "file_pattern": "acme_{date:%Y%m%d}*.csv",
                    "campaign_name": "Acme always-on",
                },
            )
        ],
        tags=["clients"],
    )
    def put(self, request: Request, client_pk: str) -> Response:
        assert self.url_client is not None
        data = SurfsideConnectionInput(data=request.data)
        data.is_valid(raise_exception=True)
        connection = services.surfside_connection_set(
            client=self.url_client, by=self.user, **data.validated_data
        )
        return Response(SurfsideConnectionOutput(connection).data)


# --- Operations (admins) --------------------------------------------------------------------


class IngestionLogListView(ScopedAPIView):
    """Ingestion runs, newest first; filter by client, source, status and start date."""

    permission_classes = [IsAgencyAdmin]

    @extend_schema(
        parameters=[
            OpenApiParameter("client_id", int),
            OpenApiParameter("source", str, enum=Source.values),
            OpenApiParameter("status", str, enum=RunStatus.values),
            OpenApiParameter("date_from", dt.date),
            OpenApiParameter("date_to", dt.date),
        ],
        responses={200: IngestionRunOutput(many=True)},
        tags=["admin"],
        examples=[ex.response("Runs", ex.page(ex.RUN))],
    )
    def get(self, request: Request) -> Response:
        runs: QuerySet[IngestionRun] = IngestionRun.objects.filter(
            client__in=self.requested_clients()
        ).select_related("client", "resolved_by")
        params = request.query_params
        if params.get("source"):
            runs = runs.filter(source=params["source"])
        if params.get("status"):
            runs = runs.filter(status=params["status"])
        if first := optional_date(params, "date_from"):
            runs = runs.filter(started_at__date__gte=first)
        if last := optional_date(params, "date_to"):
            runs = runs.filter(started_at__date__lte=last)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(runs.order_by("-started_at", "-id"), request, view=self)
        return paginator.get_paginated_response(IngestionRunOutput(page, many=True).data)


class IngestionLogDetailView(ScopedAPIView):
    """One run with its refused rows (row numbers and reasons)."""

    permission_classes = [IsAgencyAdmin]
    url_objects = {"run_pk": (IngestionRun, "client")}

    @extend_schema(
        responses={200: IngestionRunOutput},
        tags=["admin"],
        examples=[ex.response("Run", {**ex.RUN, "row_errors": ex.ROW_ERRORS})],
    )
    def get(self, request: Request, run_pk: str) -> Response:
        run = self.found["run_pk"]
        return Response({**IngestionRunOutput(run).data, "row_errors": row_errors(run)})


class ResolveInput(StrictSerializer):
    notes = serializers.CharField(max_length=5000)


class IngestionLogResolveView(ScopedAPIView):
    """Mark a run's problem as handled, with notes."""

    permission_classes = [IsAgencyAdmin]
    url_objects = {"run_pk": (IngestionRun, "client")}

    @extend_schema(
        request=ResolveInput,
        responses={200: IngestionRunOutput},
        tags=["admin"],
        examples=[OpenApiExample("Resolve", value={"notes": "Surfside re-sent it."})],
    )
    def post(self, request: Request, run_pk: str) -> Response:
        run = self.found["run_pk"]
        data = ResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.ingestion_run_resolve(
            run=run, notes=data.validated_data["notes"], by=self.user
        )
        return Response(IngestionRunOutput(run).data)


class IngestionLogRerunView(ScopedAPIView):
    """Run the same input again (queued); the new run appears in the logs."""

    permission_classes = [IsAgencyAdmin]
    url_objects = {"run_pk": (IngestionRun, "client")}

    @extend_schema(
        request=None,
        responses={202: ex.DETAIL},
        tags=["admin"],
        examples=[ex.response("Queued", {"detail": "Re-run of run #481 queued."}, status=202)],
    )
    def post(self, request: Request, run_pk: str) -> Response:
        run = self.found["run_pk"]
        if run.refused:
            raise serializers.ValidationError(
                f"Run #{run.pk} is an upload refused for its own format or content; the same "
                "file would be refused again. The uploader can see why and upload a corrected file."
            )
        queue("ingestion.tasks.rerun", run.pk, self.user.pk)
        return Response(
            {"detail": f"Re-run of run #{run.pk} queued."}, status=status.HTTP_202_ACCEPTED
        )


class TriggerInput(StrictSerializer):
    client_id = serializers.IntegerField()
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[Source.SURFSIDE, Source.VIBE]
    )
    date = serializers.DateField()


class IngestionTriggerView(ScopedAPIView):
    """Queue a run for one client, source and day.

    Surfside: 202 with the run (poll ``admin/ingestion-logs/{id}``). Vibe: 202 with the report
    request (``report_request_id``, ``state``) that the task cluster advances within the API
    key's budget; the run it produces appears in the ingestion logs.
    """

    permission_classes = [IsAgencyAdmin]

    @extend_schema(
        request=TriggerInput,
        responses={202: IngestionRunOutput},
        tags=["admin"],
        examples=[
            OpenApiExample(
                "Trigger", value={"client_id": 1, "source": "surfside", "date": "2025-11-03"}
            )
        ],
    )
    def post(self, request: Request) -> Response:
        data = TriggerInput(data=request.data)
        data.is_valid(raise_exception=True)
        client = get_client_or_404(self.user, data.validated_data["client_id"])
        day = data.validated_data["date"]
        if data.validated_data["source"] == Source.VIBE:
            return self._vibe(client, day)
        run = start_run(
            client=client,
            source=Source.SURFSIDE,
            trigger=RunTrigger.MANUAL,
            triggered_by=self.user,
            requested_date=day,
        )
        audit_record(
            actor=self.user,
            action=AuditAction.INGESTION_TRIGGER,
            entity=run,
            new={"client": client.slug, "source": Source.SURFSIDE, "date": str(day)},
        )
        queue(
            "ingestion.tasks.surfside_client_day",
            client.pk,
            day.isoformat(),
            RunTrigger.MANUAL,
            run.pk,
        )
        run.refresh_from_db()
        return Response(IngestionRunOutput(run).data, status=status.HTTP_202_ACCEPTED)

    def _vibe(self, client: Client, day: dt.date) -> Response:
        if vibe_connection_for(client) is None:
            raise ValidationError({"client_id": [f"{client} has no Vibe connection."]})
        report = report_request_create(
            client=client,
            start_date=day,
            end_date=day,
            trigger=RunTrigger.MANUAL,
            triggered_by=self.user,
            requested_date=day,
            now=timezone.now(),
        )
        audit_record(
            actor=self.user,
            action=AuditAction.INGESTION_TRIGGER,
            entity=report,
            new={"client": client.slug, "source": Source.VIBE, "date": str(day)},
        )
        return Response(
            {
                "report_request_id": report.pk,
                "state": report.state,
                "client_id": client.pk,
                "start_date": report.start_date,
                "end_date": report.end_date,
            },
            status=status.HTTP_202_ACCEPTED,
        )


class BackfillInput(StrictSerializer):
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[Source.SURFSIDE, Source.VIBE]
    )
    client_id = serializers.IntegerField(required=False, help_text="Omit for every client.")
    start_date = serializers.DateField()
    end_date = serializers.DateField()


class BackfillOutput(serializers.ModelSerializer):
    progress_percent = serializers.IntegerField()
    clients = serializers.SlugRelatedField(  # type: ignore[var-annotated]
        slug_field="slug", many=True, read_only=True
    )

    class Meta:
        model = BackfillJob
        fields = [
            "id",
            "source",
            "clients",
            "start_date",
            "end_date",
            "status",
            "steps_total",
            "steps_done",
            "progress_percent",
            "results",
            "message",
            "created_at",
            "finished_at",
        ]


class BackfillView(ScopedAPIView):
    """Start a historical backfill; it runs in the task queue. Poll ``admin/backfill/{id}``."""

    permission_classes = [IsAgencyAdmin]

    @extend_schema(
        request=BackfillInput,
        responses={202: BackfillOutput},
        tags=["admin"],
        examples=[
            OpenApiExample(
                "Backfill",
                value={
                    "source": "surfside",
                    "client_id": 1,
                    "start_date": "2025-10-01",
                    "end_date": "2025-10-31",
                },
            )
        ],
    )
    def post(self, request: Request) -> Response:
        data = BackfillInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values.get("client_id"):
            clients = [get_client_or_404(self.user, values["client_id"])]
        else:
            connection = f"{values['source']}_connection__is_enabled"
            clients = list(self.visible_clients().filter(status="active", **{connection: True}))
        try:
            job = backfill_create(
                source=values["source"],
                clients=clients,
                start=values["start_date"],
                end=values["end_date"],
                by=self.user,
            )
        except DjangoValidationError as error:
            raise ValidationError(error.messages) from None
        queue("ingestion.tasks.run_backfill", job.pk)
        job.refresh_from_db()
        return Response(BackfillOutput(job).data, status=status.HTTP_202_ACCEPTED)


class BackfillDetailView(ScopedAPIView):
    """A backfill's progress and per-day results."""

    permission_classes = [IsAgencyAdmin]
    url_objects = {"job_pk": (BackfillJob, "clients")}

    @extend_schema(
        responses={200: BackfillOutput}, tags=["admin"], examples=[ex.response("Job", ex.BACKFILL)]
    )
    def get(self, request: Request, job_pk: str) -> Response:
        job = self.found["job_pk"]
        return Response(BackfillOutput(job).data)
