from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


class IsAgencyAdmin(BasePermission):
    """Only agency admins; client users get 403 (they are authenticated but not allowed)."""

    message = "Only agency admins can do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and getattr(user, "is_admin", False))


class AdminWritesOnly(IsAgencyAdmin):
    """Anyone authenticated may read; only agency admins may write."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return bool(request.user and request.user.is_authenticated)
        return super().has_permission(request, view)
