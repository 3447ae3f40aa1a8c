"""Every endpoint under ``/api/v1/``. Paths have no trailing slash."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from accounts import api as accounts_api
from clients import api as clients_api
from dashboard_project.api.health import HealthView
from dashboard_project.api.schema import DocsView, SchemaView
from ingestion.vibe import api as vibe_api

router = SimpleRouter(trailing_slash=False)
router.register("clients", clients_api.ClientViewSet, basename="client")

app_name = "api"

urlpatterns = [
    path("health", HealthView.as_view(), name="health"),
    path("schema", SchemaView.as_view(), name="schema"),
    path("docs", DocsView.as_view(url_name="api:schema"), name="docs"),
    path("auth/login", accounts_api.LoginView.as_view(), name="auth-login"),
    path("auth/refresh", accounts_api.RefreshView.as_view(), name="auth-refresh"),
    path("auth/logout", accounts_api.LogoutView.as_view(), name="auth-logout"),
    path("auth/me", accounts_api.MeView.as_view(), name="auth-me"),
    path(
        "clients/<str:client_pk>/settings",
        clients_api.ClientSettingsView.as_view(),
        name="client-settings",
    ),
    path(
        "clients/<str:client_pk>/users", clients_api.ClientUsersView.as_view(), name="client-users"
    ),
    path(
        "clients/<str:client_pk>/connections/vibe",
        vibe_api.VibeConnectionView.as_view(),
        name="client-connection-vibe",
    ),
    path(
        "admin/clients/<str:client_pk>/toggle-status",
        clients_api.ClientStatusView.as_view(),
        name="client-toggle-status",
    ),
    path("", include(router.urls)),
]
