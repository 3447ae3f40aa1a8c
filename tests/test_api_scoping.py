"""Every API view is built on the scoped base class, or is one of the few public ones."""

from accounts.api import AuditLogListView, LoginView, LogoutView, MeView, RefreshView
from clients.scoped_api import ScopedAPIView
from core.api.health import HealthView
from core.api.schema import DocsView, SchemaView
from core.api.views import AuthenticatedAPIView, PublicAPIView
from tests.api_urls import api_endpoints

PUBLIC_VIEWS = {LoginView, RefreshView, HealthView, SchemaView, DocsView}
# Authenticated but unscoped: the requesting user's own identity, and the agency's audit log
# (admins only). Nothing a tenant owns is read through them.
ACCOUNT_VIEWS = {LogoutView, MeView, AuditLogListView}


def test_every_api_view_is_scoped_or_explicitly_public():
    endpoints = list(api_endpoints())
    assert len(endpoints) > 10
    unscoped = [
        route
        for route, view in endpoints
        if view is None or not issubclass(view, AuthenticatedAPIView | PublicAPIView)
    ]
    assert unscoped == []
    public = {view for _, view in endpoints if issubclass(view, PublicAPIView)}
    assert public == PUBLIC_VIEWS
    unscoped_accounts = {
        view
        for _, view in endpoints
        if issubclass(view, AuthenticatedAPIView) and not issubclass(view, ScopedAPIView)
    }
    assert unscoped_accounts == ACCOUNT_VIEWS


def test_scoped_viewsets_cannot_bypass_scoping_by_overriding_get_queryset():
    import pytest

    from clients.scoped_api import ScopedGenericViewSet

    with pytest.raises(TypeError, match="overrides get_queryset"):

        class Sneaky(ScopedGenericViewSet):
            def get_queryset(self):
                return None
