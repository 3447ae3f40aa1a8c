"""The Surfside connection over the API (admins): where a client's daily files arrive."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from clients.scoped_api import ScopedAPIView
from core.api.permissions import IsAgencyAdmin
from core.api.serializers import StrictSerializer
from ingestion.sources.surfside.models import SurfsideConnection
from ingestion.sources.surfside.services import surfside_connection_set


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
        connection = surfside_connection_set(
            client=self.url_client, by=self.user, **data.validated_data
        )
        return Response(SurfsideConnectionOutput(connection).data)
