"""Every API view is built on the scoped base class, or is one of the few public ones."""

import pytest

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
    from clients.scoped_api import ScopedGenericViewSet

    with pytest.raises(TypeError, match="overrides get_queryset"):

        class Sneaky(ScopedGenericViewSet):
            def get_queryset(self):
                return None


@pytest.mark.parametrize("method", ["get_queryset", "get_object"])
def test_scoped_viewsets_cannot_replace_the_scoped_queryset_or_lookup(method):
    from clients.scoped_api import ScopedGenericViewSet

    with pytest.raises(TypeError, match=f"overrides {method}"):
        type("Sneaky", (ScopedGenericViewSet,), {method: lambda self: None})


@pytest.mark.parametrize("method", ScopedAPIView.SCOPING_METHODS)
def test_scoped_views_cannot_replace_how_the_clients_in_scope_are_worked_out(method):
    with pytest.raises(TypeError, match=f"overrides {method}"):
        type("Sneaky", (ScopedAPIView,), {method: lambda self, *args: None})
