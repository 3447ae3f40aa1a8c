from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include("dashboard_project.api.urls")),
    path("", include("pacing.urls")),
    path("", include("reports.urls")),
]

# An upload over the size limit is refused while the CSRF check reads it: say so (413).
handler400 = "reports.views.errors.bad_request"
