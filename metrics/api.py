"""A client's CPM history over the API: admins add rates, which re-prices the days they govern."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from clients.api import cpm_field
from clients.models import CpmRate
from clients.scoped_api import ScopedAPIView
from clients.selectors import cpm_history
from core.api import examples as ex
from core.api.permissions import AdminWritesOnly
from core.api.serializers import StrictSerializer
from core.validators import validate_business_date
from metrics.cpm import cpm_rate_add


class CpmRateOutput(serializers.ModelSerializer):
    set_by = serializers.CharField(source="set_by.username", default=None)

    class Meta:
        model = CpmRate
        fields = ["id", "cpm", "effective_date", "note", "set_by", "created_at"]


class CpmRateInput(StrictSerializer):
    cpm = cpm_field()
    effective_date = serializers.DateField(validators=[validate_business_date])
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ClientSettingsView(ScopedAPIView):
    """A client's CPM history (newest first). Admins add rates; stored days are re-priced."""

    permission_classes = [AdminWritesOnly]

    @extend_schema(
        responses={200: CpmRateOutput(many=True)},
        tags=["clients"],
        examples=[ex.response("CPM history", [ex.CPM_RATE])],
    )
    def get(self, request: Request, client_pk: str) -> Response:
        assert self.url_client is not None
        return Response(CpmRateOutput(cpm_history(self.url_client), many=True).data)

    @extend_schema(
        request=CpmRateInput,
        responses={201: CpmRateOutput},
        examples=[
            OpenApiExample("New rate", value={"cpm": "17.50", "effective_date": "2025-03-01"})
        ],
        tags=["clients"],
    )
    def post(self, request: Request, client_pk: str) -> Response:
        assert self.url_client is not None
        data = CpmRateInput(data=request.data)
        data.is_valid(raise_exception=True)
        rate = cpm_rate_add(client=self.url_client, by=self.user, **data.validated_data)
        return Response(CpmRateOutput(rate).data, status=status.HTTP_201_CREATED)
