"""Restatements in the admin: read-only, with who changed what and why (SPEC 9)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from metrics.models import PeriodClosure, Restatement


@admin.register(Restatement)
class RestatementAdmin(admin.ModelAdmin):
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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PeriodClosure)
class PeriodClosureAdmin(admin.ModelAdmin):
    """Weeks and months closed early because a summary of them was sent."""

    list_display = ["client", "period_type", "start", "closed_at"]
    list_filter = ["client", "period_type"]
    list_select_related = ["client"]
    search_fields = ["client__name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
