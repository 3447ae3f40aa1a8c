"""Every API view is built on the scoped base class, or is one of the few public ones."""

from accounts.api import LoginView, RefreshView
from clients.scoped_api import PublicAPIView, ScopedAPIView
from core.api.health import HealthView
from core.api.schema import DocsView, SchemaView
from tests.api_urls import api_endpoints

PUBLIC_VIEWS = {LoginView, RefreshView, HealthView, SchemaView, DocsView}


def test_every_api_view_is_scoped_or_explicitly_public():
    endpoints = list(api_endpoints())
    assert len(endpoints) > 10
    unscoped = [
        route
        for route, view in endpoints
        if view is None or not issubclass(view, ScopedAPIView | PublicAPIView)
    ]
    assert unscoped == []
    public = {view for _, view in endpoints if issubclass(view, PublicAPIView)}
    assert public == PUBLIC_VIEWS


def test_scoped_viewsets_cannot_bypass_scoping_by_overriding_get_queryset():
    import pytest

    from clients.scoped_api import ScopedGenericViewSet

    with pytest.raises(TypeError, match="overrides get_queryset"):

        class Sneaky(ScopedGenericViewSet):
            def get_queryset(self):
                return None
