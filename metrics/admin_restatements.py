"""Restatements in the admin: read-only, with who changed what and why (SPEC 9)."""

from __future__ import annotations

from django.contrib import admin

from core.admin import RecordAdmin
from metrics.models import PeriodClosure, Restatement


@admin.register(Restatement)
class RestatementAdmin(RecordAdmin):
    """Every recorded restatement; written only by ``metrics.restatements``."""

    list_display = [
        "at",
        "client",
        "source",
        "period_type",
        "period_start",
        "period_end",
        "measure",
        "before",
        "after",
        "difference",
        "reason",
        "by",
    ]
    list_filter = ["client", "source", "period_type", "measure"]
    list_select_related = ["client", "by"]
    search_fields = ["client__name", "reason"]
    date_hierarchy = "at"
    ordering = ["-at"]


@admin.register(PeriodClosure)
class PeriodClosureAdmin(RecordAdmin):
    """Weeks and months closed early because a summary of them was sent."""

    list_display = ["client", "period_type", "start", "closed_at"]
    list_filter = ["client", "period_type"]
    list_select_related = ["client"]
    search_fields = ["client__name"]
