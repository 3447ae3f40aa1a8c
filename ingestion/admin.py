from __future__ import annotations

from django.contrib import admin

from ingestion.models import IngestionRun


@admin.register(IngestionRun)
class IngestionRunAdmin(admin.ModelAdmin):
    list_display = ["id", "client", "source", "status", "started_at"]


from ingestion.vibe import admin as _vibe_admin  # noqa: F401,E402
