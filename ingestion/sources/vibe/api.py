"""``PUT /api/v1/clients/{id}/connections/vibe``: an admin sets a client's Vibe advertiser and
API key. The key is write-only: answers show only its last four characters."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from clients.scoped_api import ScopedAPIView
from core.api.permissions import IsAgencyAdmin
from core.api.serializers import StrictSerializer
from ingestion.sources.vibe.models import VibeConnection, VibeReportRequest
from ingestion.sources.vibe.services import vibe_connection_set


class VibeConnectionInput(StrictSerializer):
    advertiser_id = serializers.CharField(max_length=255)
    api_key = serializers.CharField(max_length=500, write_only=True)
    base_url = serializers.URLField(max_length=500, required=False, allow_blank=True)
    is_enabled = serializers.BooleanField(required=False)


class VibeConnectionOutput(serializers.ModelSerializer):
    api_key = serializers.CharField(source="masked_api_key", read_only=True)
    base_url = serializers.CharField(source="effective_base_url", read_only=True)

    class Meta:
        model = VibeConnection
        fields = [
            "client_id",
            "advertiser_id",
            "api_key",
            "base_url",
            "is_enabled",
            "created_at",
            "updated_at",
        ]


class VibeConnectionView(ScopedAPIView):
    """A client's Vibe connection (admins only)."""

    permission_classes = [IsAgencyAdmin]

    @extend_schema(
        request=VibeConnectionInput,
        responses={200: VibeConnectionOutput},
        examples=[
            OpenApiExample(
                "Connect Vibe",
                value={"advertiser_id": "7f1ae80e-ebc2-42b4", "api_key": "vb_live_0123456789abcd"},
                request_only=True,
            ),
            OpenApiExample(
                "Connected",
                value={
                    "client_id": 1,
                    "advertiser_id": "7f1ae80e-ebc2-42b4",
                    "api_key": "••••abcd",
                    "base_url": "https://clear-platform.vibe.co/rest/reporting/v1",
                    "is_enabled": True,
                    "created_at": "2026-01-05T10:00:00Z",
                    "updated_at": "2026-01-05T10:00:00Z",
                },
                response_only=True,
            ),
        ],
        tags=["clients"],
    )
    def put(self, request: Request, client_pk: str) -> Response:
        assert self.url_client is not None
        data = VibeConnectionInput(data=request.data)
        data.is_valid(raise_exception=True)
        connection = vibe_connection_set(
            client=self.url_client, by=self.user, **data.validated_data
        )
        return Response(VibeConnectionOutput(connection).data)


class VibeReportRequestOutput(serializers.ModelSerializer):
    """Where a Vibe report request stands: what a re-run or a trigger created."""

    run_id = serializers.IntegerField(allow_null=True, read_only=True)
    # Typed Any: the stubs see a field named ``source`` as overriding ``Field.source``.
    source: Any = serializers.SerializerMethodField()

    class Meta:
        model = VibeReportRequest
        fields = [
            "id",
            "client_id",
            "source",
            "start_date",
            "end_date",
            "state",
            "trigger",
            "attempts",
            "polls",
            "next_attempt_at",
            "note",
            "failure_reason",
            "run_id",
            "created_at",
            "finished_at",
        ]

    def get_source(self, obj: VibeReportRequest) -> str:
        return "vibe"


class VibeReportRequestView(ScopedAPIView):
    """A Vibe report request (admins): its state while the task cluster moves it on within the
    API key's budget (requested, polling, ready, downloaded), then loaded with the ``run_id`` of
    the run it produced (its log entry), or failed with the reason."""

    permission_classes = [IsAgencyAdmin]
    url_objects = {"request_pk": (VibeReportRequest, "client")}

    @extend_schema(
        responses={200: VibeReportRequestOutput},
        tags=["admin"],
        examples=[
            OpenApiExample(
                "Waiting for the budget",
                value={
                    "id": 31,
                    "client_id": 1,
                    "source": "vibe",
                    "start_date": "2025-11-03",
                    "end_date": "2025-11-03",
                    "state": "polling",
                    "trigger": "rerun",
                    "attempts": 2,
                    "polls": 1,
                    "next_attempt_at": "2025-11-04T11:02:00Z",
                    "note": "Report not ready yet; polling again in 60 s.",
                    "failure_reason": "",
                    "run_id": None,
                    "created_at": "2025-11-04T11:00:00Z",
                    "finished_at": None,
                },
                response_only=True,
            )
        ],
    )
    def get(self, request: Request, request_pk: str) -> Response:
        return Response(VibeReportRequestOutput(self.found["request_pk"]).data)
