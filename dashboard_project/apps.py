from django.contrib.admin.apps import AdminConfig


class DashboardAdminConfig(AdminConfig):
    """Installs ``DashboardAdminSite`` as ``admin.site``."""

    default_site = "dashboard_project.admin_site.DashboardAdminSite"
