"""Audit entries for session logins (pages and admin); the JWT API audits its own logins.

These receivers only record what happened; they hold no business logic.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.audit import audit_record
from accounts.models import AuditAction, User


@receiver(user_logged_in)
def audit_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    audit_record(actor=user, action=AuditAction.LOGIN, entity=user, new={"via": "session"})


@receiver(user_logged_out)
def audit_logout(
    sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    if user is not None:
        audit_record(actor=user, action=AuditAction.LOGOUT, entity=user)


@receiver(user_login_failed)
def audit_login_failure(sender: Any, credentials: dict[str, Any], **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        entity_type="accounts.User",
        entity_label=username,
        new={"username": username},
    )
