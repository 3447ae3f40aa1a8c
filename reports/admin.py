"""Admin for summaries, their emails, metric archives and the schedule ledger: read-only
records of what the background work did (it writes them; people only look)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from core.admin import ReadOnlyAdmin
from metrics import formatting
from reports.models import MetricArchive, ScheduledRun, Summary, SummaryEmail


@admin.register(Summary)
class SummaryAdmin(ReadOnlyAdmin):
    list_display = [
        "client",
        "period_type",
        "start",
        "end",
        "impressions_text",
        "conversions_text",
        "spend_text",
        "is_complete",
        "generated_at",
    ]
    list_filter = ["period_type", "is_complete", "client"]
    list_select_related = ["client"]
    search_fields = ["client__name", "client__slug"]
    date_hierarchy = "start"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # summaries are kept forever

    # Figures written as the portal writes them (metrics.formatting).
    @admin.display(description="Impressions", ordering="impressions")
    def impressions_text(self, summary: Summary) -> str:
        return formatting.count(summary.impressions)

    @admin.display(description="Conversions", ordering="conversions")
    def conversions_text(self, summary: Summary) -> str:
        return formatting.count(summary.conversions)

    @admin.display(description="Spend", ordering="spend")
    def spend_text(self, summary: Summary) -> str:
        return formatting.money(summary.spend)


@admin.register(SummaryEmail)
class SummaryEmailAdmin(ReadOnlyAdmin):
    list_display = ["summary", "email", "user", "sent_at"]
    list_select_related = ["summary", "user"]
    search_fields = ["email", "user__username"]


@admin.register(MetricArchive)
class MetricArchiveAdmin(ReadOnlyAdmin):
    list_display = [
        "client",
        "month",
        "rows_text",
        "impressions_text",
        "spend_text",
        "file_name",
        "created_at",
    ]
    list_filter = ["client"]
    list_select_related = ["client"]
    search_fields = ["client__name", "file_name"]

    @admin.display(description="Rows", ordering="rows")
    def rows_text(self, archive: MetricArchive) -> str:
        return formatting.count(archive.rows)

    @admin.display(description="Impressions", ordering="impressions")
    def impressions_text(self, archive: MetricArchive) -> str:
        return formatting.count(archive.impressions)

    @admin.display(description="Spend", ordering="spend")
    def spend_text(self, archive: MetricArchive) -> str:
        return formatting.money(archive.spend)


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnlyAdmin):
    """The schedule ledger. Deleting a failed run's row lets the wrapper run it again on its
    next tick (if it is still the latest run of its job and within the catch-up window)."""

    list_display = ["job", "intended_at", "day", "status", "started_at", "finished_at", "message"]
    list_filter = ["job", "status"]
    search_fields = ["job", "message"]
    date_hierarchy = "intended_at"
