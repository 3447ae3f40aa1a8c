"""Writing the audit trail: who did what to which entity, with old and new values."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Model

from accounts.models import AuditAction, AuditLog, User
from accounts.request_context import current_request_context

# Never copied into the audit log, whatever model they appear on.
SECRET_FIELDS = frozenset({"password", "api_key", "api_key_encrypted"})


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal | dt.date | dt.datetime):
        return str(value)
    if isinstance(value, Model):
        return value.pk
    return value


def snapshot(instance: Model, fields: list[str]) -> dict[str, Any]:
    """The audit-safe values of ``fields`` on ``instance``."""
    return {
        field: _json_value(getattr(instance, field))
        for field in fields
        if field not in SECRET_FIELDS
    }


def changed_values(
    old: dict[str, Any], new: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that differ, as (old, new)."""
    keys = [key for key in new if old.get(key) != new.get(key)]
    return {key: old.get(key) for key in keys}, {key: new[key] for key in keys}


def audit_record(
    *,
    actor: User | None,
    action: AuditAction | str,
    entity: Model | None = None,
    entity_type: str = "",
    entity_id: object = "",
    entity_label: str = "",
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> AuditLog:
    """Append one entry to the audit log; IP and user agent come from the current request."""
    context = current_request_context()
    if entity is not None:
        entity_type = entity_type or entity._meta.label
        entity_id = entity_id or entity.pk
        entity_label = entity_label or str(entity)
    return AuditLog.objects.create(
        user=actor if actor is not None and actor.pk else None,
        username=getattr(actor, "username", "") or "",
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id or ""),
        entity_label=entity_label[:255],
        old_values=old,
        new_values=new,
        ip_address=context.ip_address,
        user_agent=context.user_agent,
    )
