"""Every endpoint under ``/api/v1/``. Paths have no trailing slash."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from accounts import api as accounts_api
from annotations import api as annotations_api
from clients import api as clients_api
from core.api.health import HealthView
from core.api.schema import DocsView, SchemaView
from ingestion import api as ingestion_api
from ingestion.sources.facebook import api as facebook_api
from ingestion.sources.surfside import api as surfside_api
from ingestion.sources.vibe import api as vibe_api
from metrics import api as cpm_api
from pacing import api as pacing_api
from reports.api import dashboard as dashboard_api
from reports.api import exports as reports_api
from reports.api import hierarchy as hierarchy_api
from reports.api import restatements as restatements_api
from reports.api import series as series_api

router = SimpleRouter(trailing_slash=False)
router.register("clients", clients_api.ClientViewSet, basename="client")
router.register("campaigns", hierarchy_api.CampaignViewSet, basename="campaign")
router.register("strategies", hierarchy_api.StrategyViewSet, basename="strategy")
router.register("placements", hierarchy_api.PlacementViewSet, basename="placement")
router.register("creatives", hierarchy_api.CreativeViewSet, basename="creative")
router.register("insertion-orders", pacing_api.InsertionOrderViewSet, basename="insertion-order")

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
        cpm_api.ClientSettingsView.as_view(),
        name="client-settings",
    ),
    path(
        "clients/<str:client_pk>/users", clients_api.ClientUsersView.as_view(), name="client-users"
    ),
    path(
        "admin/vibe-report-requests/<int:request_pk>",
        vibe_api.VibeReportRequestView.as_view(),
        name="vibe-report-request",
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
    path(
        "clients/<str:client_pk>/connections/surfside",
        surfside_api.SurfsideConnectionView.as_view(),
        name="client-connection-surfside",
    ),
    path("facebook/upload", facebook_api.FacebookUploadView.as_view(), name="facebook-upload"),
    path("facebook/uploads", facebook_api.UploadListView.as_view(), name="facebook-uploads"),
    path(
        "facebook/uploads/<int:upload_id>",
        facebook_api.UploadDetailView.as_view(),
        name="facebook-upload-detail",
    ),
    path(
        "admin/ingestion-logs", ingestion_api.IngestionLogListView.as_view(), name="ingestion-logs"
    ),
    path(
        "admin/ingestion-logs/<str:run_pk>",
        ingestion_api.IngestionLogDetailView.as_view(),
        name="ingestion-log",
    ),
    path(
        "admin/ingestion-logs/<str:run_pk>/resolve",
        ingestion_api.IngestionLogResolveView.as_view(),
        name="ingestion-log-resolve",
    ),
    path(
        "admin/ingestion-logs/<str:run_pk>/rerun",
        ingestion_api.IngestionLogRerunView.as_view(),
        name="ingestion-log-rerun",
    ),
    path(
        "admin/ingestion/trigger",
        ingestion_api.IngestionTriggerView.as_view(),
        name="ingestion-trigger",
    ),
    path("admin/backfill", ingestion_api.BackfillView.as_view(), name="backfill"),
    path(
        "admin/backfill/<str:job_pk>",
        ingestion_api.BackfillDetailView.as_view(),
        name="backfill-detail",
    ),
    path("annotations", annotations_api.AnnotationListView.as_view(), name="annotations"),
    path("admin/audit-logs", accounts_api.AuditLogListView.as_view(), name="audit-logs"),
    path(
        "dashboard/summary", dashboard_api.DashboardSummaryView.as_view(), name="dashboard-summary"
    ),
    path(
        "dashboard/overview",
        dashboard_api.DashboardOverviewView.as_view(),
        name="dashboard-overview",
    ),
    path("metrics/daily", series_api.DailyMetricsView.as_view(), name="metrics-daily"),
    path("restatements", restatements_api.RestatementListView.as_view(), name="restatements"),
    path("metrics/weekly", series_api.WeeklyMetricsView.as_view(), name="metrics-weekly"),
    path("metrics/monthly", series_api.MonthlyMetricsView.as_view(), name="metrics-monthly"),
    path("exports/csv", reports_api.CsvExportView.as_view(), name="export-csv"),
    path("exports/xlsx", reports_api.XlsxExportView.as_view(), name="export-xlsx"),
    path("exports/pdf", reports_api.PdfExportView.as_view(), name="export-pdf"),
    path("exports/jobs/<int:job_id>", reports_api.ExportJobView.as_view(), name="export-job"),
    path(
        "exports/jobs/<int:job_id>/download",
        reports_api.ExportJobDownloadView.as_view(),
        name="export-job-download",
    ),
    path("", include(router.urls)),
]
