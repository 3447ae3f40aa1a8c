"""What every dashboard read endpoint shares: the clients in scope, then validated parameters."""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.db.models import QuerySet

from clients.models import Client
from clients.scoped_api import ScopedAPIView
from core.api.serializers import StrictSerializer


class MetricsReadView(ScopedAPIView):
    """Base of the dashboard read endpoints.

    The clients are resolved before the parameters are validated, so a ``client_id`` the user may
    not see is a 404 whatever else the request gets wrong, and nothing about it leaks through a 400.
    """

    @cached_property
    def clients(self) -> QuerySet[Client]:
        return self.requested_clients()

    def read_params(self, params_class: type[StrictSerializer]) -> dict[str, Any]:
        _ = self.clients  # the 404 for a foreign client_id comes before any 400
        params = params_class(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return dict(params.validated_data)
