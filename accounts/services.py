"""Writes to users. Every function leaves an audit entry."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.audit import audit_record, changed_values, snapshot
from accounts.models import AuditAction, Role, User

USER_AUDIT_FIELDS = [
    "username",
    "email",
    "first_name",
    "last_name",
    "role",
    "client",
    "is_active",
]


NAME_FIELDS = ("first_name", "last_name")


def _refuse_admin_takeover(user: User, by: User | None) -> None:
    """An admin never changes another admin's e-mail (the password reset goes there) or
    password: either would let one admin take over another's account."""
    if user.pk is None or by is None or by.pk == user.pk:
        return
    stored = User.objects.filter(pk=user.pk).values("role", "email", "password").first()
    if stored is None or stored["role"] != Role.ADMIN:
        return
    if user.email != stored["email"]:
        raise PermissionDenied("You cannot change another admin's e-mail address.")
    if user.password != stored["password"]:
        raise PermissionDenied("You cannot change another admin's password.")


def user_update(*, user: User, by: User | None, before: dict[str, object] | None = None) -> User:
    """Save changes an admin made to ``user`` (already applied to the instance) and audit them.

    ``before`` is the snapshot taken before the changes were applied.
    """
    if user.role == Role.ADMIN:
        user.client = None
    _refuse_admin_takeover(user, by)
    if user.client is not None and not user.client.is_active:
        # The client is disabled: activating the user means "back when the client is enabled".
        if user.is_active:
            user.deactivated_with_client = True
            user.is_active = False
    else:
        user.deactivated_with_client = False
    was_active = User.objects.filter(pk=user.pk, is_active=True).exists() if user.pk else False
    if was_active and not user.is_active:
        # Deactivated: nothing issued before works again if the user is reactivated later.
        user.token_generation += 1
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save()
        after = snapshot(user, USER_AUDIT_FIELDS)
        if before is None:
            audit_record(actor=by, action=AuditAction.CREATE, entity=user, new=after)
        else:
            old, new = changed_values(before, after)
            if new:
                audit_record(actor=by, action=AuditAction.UPDATE, entity=user, old=old, new=new)
    return user


def user_delete(*, user: User, by: User | None) -> None:
    with transaction.atomic():
        audit_record(
            actor=by,
            action=AuditAction.DELETE,
            entity=user,
            old=snapshot(user, USER_AUDIT_FIELDS),
        )
        user.delete()


def user_password_reset(*, user: User, new_password: str, by: User) -> None:
    """An admin sets a new password for a client user (or for themselves), never another admin.

    Existing sessions and tokens of ``user`` stop working (the password hash changes).
    """
    if not by.is_admin:
        raise PermissionDenied("Only agency admins can reset passwords.")
    if user.is_admin and user.pk != by.pk:
        raise PermissionDenied("You cannot reset another admin's password.")
    validate_password(new_password, user=user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password", "updated_at"])
        audit_record(actor=by, action=AuditAction.PASSWORD_RESET, entity=user)


def user_password_change(*, user: User, new_password: str) -> None:
    """A user changes their own password (the old one has already been checked)."""
    validate_password(new_password, user=user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password", "updated_at"])
        audit_record(actor=user, action=AuditAction.PASSWORD_CHANGE, entity=user)
