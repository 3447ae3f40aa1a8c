"""The two base classes of API views that carry no tenant scope.

Every other view under ``/api/v1/`` derives from ``clients.scoped_api.ScopedAPIView``; the URL-conf
walk in ``tests/test_api_scoping.py`` lists the views built on these two by name.
"""

from __future__ import annotations

from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.views import APIView


class AuthenticatedAPIView(APIView):
    """Base for endpoints that need a logged-in user. Used directly only by views that read no
    tenant's data (the requesting user's own identity, the agency's audit log)."""

    permission_classes = [IsAuthenticated]


class PublicAPIView(APIView):
    """Base for the few endpoints that serve anonymous callers (login, refresh, health)."""

    authentication_classes = []
    permission_classes = [AllowAny]
