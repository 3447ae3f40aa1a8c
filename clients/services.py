"""Writes to clients and their CPM history. Every function leaves an audit entry.

CPM changes re-price the stored days they govern inside the same transaction, so billed spend never
disagrees with the rate history.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from accounts.audit import audit_record, changed_values, snapshot
from accounts.models import AuditAction, Role, User
from accounts.services import NAME_FIELDS, USER_AUDIT_FIELDS
from clients.models import Client, ClientStatus, CpmRate
from core.validators import validate_business_date

CLIENT_AUDIT_FIELDS = ["name", "slug", "status"]
CPM_AUDIT_FIELDS = ["client", "cpm", "effective_date", "note"]


def validate_cpm(cpm: Decimal) -> None:
    """Refuse a CPM the rate column cannot hold, with the field's own message."""
    rate = CpmRate(cpm=cpm)
    try:
        rate.clean_fields(exclude=["client", "effective_date", "set_by", "note"])
    except ValidationError as error:
        raise ValidationError({"cpm": error.message_dict["cpm"]}) from None


def validate_rate(rate: CpmRate) -> None:
    """The model's field rules (price, date window, note) before anything is written."""
    rate.clean_fields(exclude=["client", "set_by"])


def client_create(
    *,
    name: str,
    slug: str,
    cpm: Decimal,
    cpm_effective_date: dt.date,
    by: User | None,
    status: str = ClientStatus.ACTIVE,
) -> Client:
    """Create a client together with its first CPM rate (a client is never without a price)."""
    client = Client(name=name.strip(), slug=slug.strip(), status=status)
    client.full_clean()
    validate_cpm(cpm)
    try:
        validate_business_date(cpm_effective_date)
    except ValidationError as error:
        raise ValidationError({"cpm_effective_date": error.messages}) from None
    try:
        with transaction.atomic():
            client.save()
            rate = CpmRate.objects.create(
                client=client,
                cpm=cpm,
                effective_date=cpm_effective_date,
                set_by=by,
                note="Initial rate",
            )
            audit_record(
                actor=by,
                action=AuditAction.CREATE,
                entity=client,
                new=snapshot(client, CLIENT_AUDIT_FIELDS),
            )
            audit_record(
                actor=by,
                action=AuditAction.CREATE,
                entity=rate,
                new=snapshot(rate, CPM_AUDIT_FIELDS),
            )
    except IntegrityError:
        raise ValidationError({"slug": "A client with this slug already exists."}) from None
    return client


def client_update(
    *, client: Client, by: User | None, name: str | None = None, slug: str | None = None
) -> Client:
    before = snapshot(client, CLIENT_AUDIT_FIELDS)
    if name is not None:
        client.name = name.strip()
    if slug is not None:
        client.slug = slug.strip()
    client.full_clean()
    old, new = changed_values(before, snapshot(client, CLIENT_AUDIT_FIELDS))
    try:
        with transaction.atomic():
            client.save()
            if new:
                audit_record(actor=by, action=AuditAction.UPDATE, entity=client, old=old, new=new)
    except IntegrityError:
        raise ValidationError({"slug": "A client with this slug already exists."}) from None
    return client


def client_set_status(*, client: Client, status: str, by: User | None) -> Client:
    """Enable or disable a client.

    Disabling deactivates its active users at once and ends their sessions and tokens (their
    ``token_generation`` is raised, so nothing issued before works again). Enabling reactivates
    exactly the users the disable deactivated: one an admin deactivated on their own stays out.
    """
    if status not in ClientStatus.values:
        raise ValidationError(
            {"status": f"Status must be one of: {', '.join(ClientStatus.values)}."}
        )
    if client.status == status:
        return client
    old_status = client.status
    with transaction.atomic():
        client.status = status
        client.save(update_fields=["status", "updated_at"])
        if status == ClientStatus.ACTIVE:
            affected = client.users.filter(deactivated_with_client=True).update(
                is_active=True, deactivated_with_client=False
            )
        else:
            affected = client.users.filter(is_active=True).update(
                is_active=False,
                deactivated_with_client=True,
                token_generation=F("token_generation") + 1,
            )
        audit_record(
            actor=by,
            action=AuditAction.STATUS_CHANGE,
            entity=client,
            old={"status": old_status},
            new={"status": status, "users_affected": affected},
        )
    return client


def client_delete(*, client: Client, by: User | None) -> None:
    """Delete a client that holds no users and no data; otherwise it should be disabled."""
    if client.users.exists() or client.ingestion_runs.exists():
        raise ValidationError(
            "This client has users or loaded data. Disable it instead, so nothing is lost."
        )
    with transaction.atomic():
        audit_record(
            actor=by,
            action=AuditAction.DELETE,
            entity=client,
            old=snapshot(client, CLIENT_AUDIT_FIELDS),
        )
        client.delete()


def client_user_create(
    *,
    client: Client,
    username: str,
    email: str,
    password: str,
    by: User | None,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create a user who belongs to ``client`` and sees only its data."""
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "That username is already taken."})
    candidate = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=Role.CLIENT,
        client=client,
        is_active=client.is_active,
        deactivated_with_client=not client.is_active,
    )
    names_only = [field.name for field in User._meta.fields if field.name not in NAME_FIELDS]
    candidate.clean_fields(exclude=names_only)
    validate_password(password, user=candidate)
    candidate.set_password(password)
    try:
        with transaction.atomic():
            candidate.save()
            audit_record(
                actor=by,
                action=AuditAction.CREATE,
                entity=candidate,
                new=snapshot(candidate, USER_AUDIT_FIELDS),
            )
    except IntegrityError:
        raise ValidationError({"username": "That username is already taken."}) from None
    return candidate
