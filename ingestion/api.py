"""The admins' operations API: ingestion logs (list, detail, resolve, re-run), triggers and
backfills, for every source. Each source's own endpoints live with the source."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.audit import audit_record
from accounts.models import AuditAction
from campaigns.models import Source
from clients.models import Client
from clients.scoped_api import ScopedAPIView
from core import leases
from core.api import examples as ex
from core.api.pagination import PageNumberPagination
from core.api.params import apply_filters, optional_date
from core.api.permissions import IsAgencyAdmin
from core.api.serializers import StrictSerializer
from core.validators import validate_business_date
from ingestion import services
from ingestion.backfill import backfill_create
from ingestion.filters import IngestionRunFilter
from ingestion.models.backfill import BackfillJob
from ingestion.models.runs import IngestionRun, RunStatus, RunTrigger
from ingestion.pipeline import start_run
from ingestion.selectors import row_errors
from ingestion.services import ingestion_run_rerun_queue
from ingestion.sources.vibe.models import VibeReportRequest
from ingestion.sources.vibe.selectors import vibe_connection_for
from ingestion.sources.vibe.services import report_request_create
from ingestion.tasks import queue


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
        runs = apply_filters(IngestionRunFilter, params, runs)
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
        responses={202: OpenApiTypes.OBJECT},
        tags=["admin"],
        examples=[
            ex.response(
                "Queued",
                {
                    "detail": "Re-run of run #481 queued as run #502.",
                    "run_id": 502,
                    "status_url": "https://dashboard.example/api/v1/admin/ingestion-logs/502",
                },
                status=202,
            )
        ],
    )
    def post(self, request: Request, run_pk: str) -> Response:
        """Queued: 202 with the new run's ``status_url`` (its log entry). A Vibe run becomes a
        report request the task cluster moves on as the key's budget allows."""
        run = self.found["run_pk"]
        try:
            new = ingestion_run_rerun_queue(run=run, by=self.user)
        except DjangoValidationError as error:
            raise ValidationError(error.messages) from None
        if isinstance(new, VibeReportRequest):
            return Response(
                {
                    "detail": f"Re-run of run #{run.pk}: Vibe report request #{new.pk} "
                    "created; the task cluster loads it as the API key's budget allows.",
                    "report_request_id": new.pk,
                    "state": new.state,
                    "status_url": request.build_absolute_uri(
                        reverse("api:vibe-report-request", args=[new.pk])
                    ),
                },
                status=status.HTTP_202_ACCEPTED,
            )
        return Response(
            {
                "detail": f"Re-run of run #{run.pk} queued as run #{new.pk}.",
                "run_id": new.pk,
                "status_url": request.build_absolute_uri(
                    reverse("api:ingestion-log", args=[new.pk])
                ),
            },
            status=status.HTTP_202_ACCEPTED,
        )


class TriggerInput(StrictSerializer):
    client_id = serializers.IntegerField()
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[Source.SURFSIDE, Source.VIBE]
    )
    date = serializers.DateField(validators=[validate_business_date])


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
        client = self.client_or_404(data.validated_data["client_id"])
        day = data.validated_data["date"]
        if data.validated_data["source"] == Source.VIBE:
            return self._vibe(client, day)
        run = start_run(
            client=client,
            source=Source.SURFSIDE,
            trigger=RunTrigger.MANUAL,
            triggered_by=self.user,
            requested_date=day,
            lease=False,
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
            lease=(leases.INGESTION_RUN, run.pk),
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
                "status_url": self.request.build_absolute_uri(
                    reverse("api:vibe-report-request", args=[report.pk])
                ),
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
    start_date = serializers.DateField(validators=[validate_business_date])
    end_date = serializers.DateField(validators=[validate_business_date])


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
            clients = [self.client_or_404(values["client_id"])]
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
        status_url = request.build_absolute_uri(reverse("api:backfill-detail", args=[job.pk]))
        return Response(
            {**BackfillOutput(job).data, "status_url": status_url},
            status=status.HTTP_202_ACCEPTED,
        )


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
