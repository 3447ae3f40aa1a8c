"""The agency's admin portal: Django's admin with the product's login throttle and branding, and
the pages that are not about one model (ingestion health, margin), listed first on the index."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, reverse

from accounts.forms import GuardedAuthenticationForm

# (title, URL name, what it answers) of the overview pages, in the order the index lists them.
OVERVIEW_PAGES = [
    ("Ingestion health", "admin:ingestion_health", "Which clients have stale or broken data"),
    ("Margin", "admin:metrics_margin", "Billed spend vs platform cost per month"),
]


class DashboardAdminSite(admin.AdminSite):
    site_header = "Paid media dashboard: agency admin"
    site_title = "Agency admin"
    index_title = "Run the business"
    login_form = GuardedAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        """Only active agency admins; client users can never open the admin."""
        user = request.user
        return bool(user.is_active and getattr(user, "is_admin", False))

    def get_urls(self) -> list[URLResolver | URLPattern]:
        # Imported here: the admin site is built while apps load, before these modules can be.
        from django.urls import path

        from ingestion.admin_health import health_urls
        from metrics.admin_margin import margin_urls
        from pacing.admin_health import with_orders_under_pace

        health = [
            path(str(url.pattern), with_orders_under_pace(url.callback), name=url.name)
            if isinstance(url, URLPattern) and url.name == "ingestion_health"
            else url
            for url in health_urls(self)
        ]
        return [*health, *margin_urls(self), *super().get_urls()]

    def get_app_list(
        self, request: HttpRequest, app_label: str | None = None
    ) -> list[dict[str, Any]]:
        """The model apps, preceded on the index and in the sidebar by the overview pages."""
        apps = super().get_app_list(request, app_label)
        if app_label is not None:
            return apps
        pages = [
            {
                "name": title,
                "object_name": title.replace(" ", ""),
                "admin_url": reverse(url_name),
                "add_url": None,
                "view_only": True,
                "perms": {"view": True},
                "description": description,
            }
            for title, url_name, description in OVERVIEW_PAGES
        ]
        overview = {
            "name": "Overview",
            "app_label": "overview",
            "app_url": reverse("admin:ingestion_health"),
            "has_module_perms": True,
            "models": pages,
        }
        return [overview, *apps]
