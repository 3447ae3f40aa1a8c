"""``GET /api/v1/annotations``: the annotations of the clients in scope over a range."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from annotations.models import Visibility
from annotations.selectors import KIND_ORDER, annotations_in_range
from clients.scoped_api import ScopedAPIView
from core.api.serializers import StrictSerializer
from metrics.periods import DATE_FORMAT_MESSAGE, RangeError, requested_range


def _date_field(help_text: str) -> serializers.DateField:
    return serializers.DateField(
        required=False, help_text=help_text, error_messages={"invalid": DATE_FORMAT_MESSAGE}
    )


class AnnotationParams(StrictSerializer):
    """The range (the one rule of every range: ``metrics.periods.requested_range``) and, for
    admins, one client."""

    start_date = _date_field("First day, included (YYYY-MM-DD). Default: 29 days before end_date.")
    end_date = _date_field(
        "Last day, included (YYYY-MM-DD). Default: yesterday in America/New_York."
    )
    client_id = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="Admins: only this client (default: every client). Client users always get "
        "their own client; the id of a client they may not see is a 404.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        try:
            attrs["date_range"] = requested_range(
                attrs.get("start_date"), attrs.get("end_date"), today=timezone.localdate()
            )
        except RangeError as error:
            raise serializers.ValidationError(str(error)) from None
        return attrs


class AnnotationOutput(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[(kind, kind) for kind in KIND_ORDER],
        help_text="manual (written by an admin) or an automatic kind, read from its source.",
    )
    automatic = serializers.BooleanField()
    annotation_id = serializers.IntegerField(
        allow_null=True, help_text="The stored note of a manual annotation; null when automatic."
    )
    client_id = serializers.IntegerField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(help_text="Last day, included (the start for one day).")
    text = serializers.CharField()
    visibility = serializers.ChoiceField(
        choices=Visibility.choices, help_text="internal ones are listed to admins only."
    )


class AnnotationListOutput(serializers.Serializer):
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    annotations = AnnotationOutput(many=True)


EXAMPLE = OpenApiExample(
    "Annotations of October",
    value={
        "start_date": "2025-10-01",
        "end_date": "2025-10-31",
        "annotations": [
            {
                "kind": "cpm_change",
                "automatic": True,
                "annotation_id": None,
                "client_id": 3,
                "start_date": "2025-10-06",
                "end_date": "2025-10-06",
                "text": "CPM $12.50 -> $14.00",
                "visibility": "client",
            },
            {
                "kind": "missing_file",
                "automatic": True,
                "annotation_id": None,
                "client_id": 3,
                "start_date": "2025-10-12",
                "end_date": "2025-10-12",
                "text": "Surfside file missing",
                "visibility": "client",
            },
            {
                "kind": "manual",
                "automatic": False,
                "annotation_id": 41,
                "client_id": 3,
                "start_date": "2025-10-20",
                "end_date": "2025-10-26",
                "text": "Holiday creative rotation",
                "visibility": "client",
            },
        ],
    },
    response_only=True,
)


class AnnotationListView(ScopedAPIView):
    """The annotations of the clients in scope: manual ones and the automatic ones (CPM changes,
    missing files, flight starts and ends) read from their sources."""

    @extend_schema(
        parameters=[AnnotationParams],
        responses={200: AnnotationListOutput},
        examples=[EXAMPLE],
        description=(
            "Every annotation that touches the range, by first day: the manual notes admins write "
            "and the automatic ones (a CPM change, a scheduled file that never came, an insertion "
            "order's flight starting or ending). Client users get their client's client-visible "
            "notes and the automatic ones; internal notes are listed to admins only. The range "
            "follows the rule of every range of the API (default: the 30 days that end "
            "yesterday)."
        ),
        tags=["annotations"],
    )
    def get(self, request: Request) -> Response:
        clients = self.requested_clients()  # a foreign client_id is a 404 before any 400
        params = AnnotationParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        date_range = params.validated_data["date_range"]
        entries = annotations_in_range(
            clients=clients,
            start=date_range.start,
            end=date_range.end,
            internal=self.user.is_admin,
        )
        data = {
            "start_date": date_range.start,
            "end_date": date_range.end,
            "annotations": [
                {
                    "kind": entry.kind,
                    "automatic": entry.automatic,
                    "annotation_id": entry.annotation_id,
                    "client_id": entry.client_id,
                    "start_date": entry.start_date,
                    "end_date": entry.end_date,
                    "text": entry.text,
                    "visibility": entry.visibility,
                }
                for entry in entries
            ],
        }
        return Response(AnnotationListOutput(data).data)
