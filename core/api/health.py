from __future__ import annotations

from django.db import DatabaseError, connection
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import examples as ex
from core.api.views import PublicAPIView


class HealthView(PublicAPIView):
    """Liveness for load balancers and monitors: 200 when the database answers, 503 otherwise."""

    @extend_schema(
        responses={
            200: inline_serializer(
                "Health",
                {
                    "status": serializers.CharField(),
                    "database": serializers.CharField(),
                    "time": serializers.DateTimeField(),
                },
            )
        },
        tags=["health"],
        examples=[ex.response("Healthy", ex.HEALTH)],
    )
    def get(self, request: Request) -> Response:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            return Response(
                {"status": "unavailable", "database": "unreachable", "time": timezone.now()},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
            )
        return Response({"status": "ok", "database": "ok", "time": timezone.now()})
