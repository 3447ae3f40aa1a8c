from django.contrib.admin.apps import AdminConfig
from django.db.models.signals import post_migrate


class DashboardAdminConfig(AdminConfig):
    """Installs ``DashboardAdminSite`` as ``admin.site``, and what ``migrate`` sets up besides the
    models' tables (``dashboard_project.deploy``)."""

    default_site = "dashboard_project.admin_site.DashboardAdminSite"

    def ready(self) -> None:
        super().ready()
        from dashboard_project.deploy import after_migrate

        # Sent once per app after every migrate; tied to this one app so it runs once.
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="dashboard_after_migrate")
