"""The agency's admin portal: Django's admin with the product's login throttle and branding."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from accounts.forms import GuardedAuthenticationForm


class DashboardAdminSite(admin.AdminSite):
    site_header = "Paid media dashboard: agency admin"
    site_title = "Agency admin"
    index_title = "Run the business"
    login_form = GuardedAuthenticationForm

    def has_permission(self, request: HttpRequest) -> bool:
        """Only active agency admins; client users can never open the admin."""
        user = request.user
        return bool(user.is_active and getattr(user, "is_admin", False))
