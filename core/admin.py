"""Admin bases shared by the apps: records that services and tasks write and people only read."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by services and tasks only; an admin can look and delete."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RecordAdmin(ReadOnlyAdmin):
    """A record of what happened (a restatement, a sent report): kept, never edited or deleted."""

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
