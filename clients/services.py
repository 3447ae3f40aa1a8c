"""Writes to clients and their CPM history. Every function leaves an audit entry.

CPM changes re-price the stored days they govern inside the same transaction, so billed spend never
disagrees with the rate history.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F

from accounts.audit import audit_record, changed_values, snapshot
from accounts.models import AuditAction, User
from clients.models import Client, ClientStatus, CpmRate
from dashboard_project.validators import validate_business_date
from metrics.pricing import reprice_days, unpriceable_range
from metrics.rollups import rollups_refresh

CLIENT_AUDIT_FIELDS = ["name", "slug", "status"]
CPM_AUDIT_FIELDS = ["client", "cpm", "effective_date", "note"]


def _validate_cpm(cpm: Decimal) -> None:
    rate = CpmRate(cpm=cpm)
    try:
        rate.clean_fields(exclude=["client", "effective_date", "set_by", "note"])
    except ValidationError as error:
        raise ValidationError({"cpm": error.message_dict["cpm"]}) from None


def _validate_rate(rate: CpmRate) -> None:
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
    _validate_cpm(cpm)
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
    from ingestion.models import IngestionRun

    if client.users.exists() or IngestionRun.objects.filter(client=client).exists():
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


def _governed_until(client: Client, effective_date: dt.date) -> dt.date | None:
    """The last day a rate starting on ``effective_date`` governs (None: open-ended)."""
    following = (
        CpmRate.objects.filter(client=client, effective_date__gt=effective_date)
        .order_by("effective_date")
        .values_list("effective_date", flat=True)
        .first()
    )
    return following - dt.timedelta(days=1) if following else None


def _refuse_unpriced_days(client: Client) -> None:
    gap = unpriceable_range(client_id=client.pk)
    if gap:
        raise ValidationError(
            {
                "effective_date": f"Stored data from {gap[0]} to {gap[1]} would have no CPM "
                "in effect. Keep an earlier rate or choose an earlier date."
            }
        )


def _reprice(client: Client, first_day: dt.date, anchor: dt.date) -> int:
    """Re-price stored days from ``first_day`` to the end of the period of the rate starting on
    ``anchor``, and the rollups built from them."""
    last_day = _governed_until(client, anchor)
    changed = reprice_days(client_id=client.pk, date_from=first_day, date_to=last_day)
    if changed:
        rollups_refresh(client_id=client.pk, date_from=first_day, date_to=last_day)
    return changed


def cpm_rate_add(
    *, client: Client, cpm: Decimal, effective_date: dt.date, by: User | None, note: str = ""
) -> CpmRate:
    """Add a dated CPM rate and re-price exactly the stored days it governs."""
    _validate_rate(CpmRate(client=client, cpm=cpm, effective_date=effective_date, note=note))
    if CpmRate.objects.filter(client=client, effective_date=effective_date).exists():
        raise ValidationError(
            {
                "effective_date": f"{client} already has a CPM rate from {effective_date}; "
                "change that rate instead."
            }
        )
    try:
        with transaction.atomic():
            rate = CpmRate.objects.create(
                client=client, cpm=cpm, effective_date=effective_date, set_by=by, note=note
            )
            repriced = _reprice(client, effective_date, effective_date)
            audit_record(
                actor=by,
                action=AuditAction.CREATE,
                entity=rate,
                new={**snapshot(rate, CPM_AUDIT_FIELDS), "rows_repriced": repriced},
            )
    except IntegrityError:
        raise ValidationError(
            {"effective_date": f"{client} already has a CPM rate from {effective_date}."}
        ) from None
    return rate


def cpm_rate_change(
    *,
    rate: CpmRate,
    by: User | None,
    cpm: Decimal | None = None,
    effective_date: dt.date | None = None,
    note: str | None = None,
) -> CpmRate:
    """Change a rate's price, start date or note, re-pricing the days it governed and governs."""
    before = snapshot(rate, CPM_AUDIT_FIELDS)
    old_date = rate.effective_date
    if cpm is not None:
        _validate_cpm(cpm)
        rate.cpm = cpm
    if effective_date is not None:
        rate.effective_date = effective_date
    if note is not None:
        rate.note = note
    old, new = changed_values(before, snapshot(rate, CPM_AUDIT_FIELDS))
    if not new:
        return rate
    _validate_rate(rate)
    try:
        with transaction.atomic():
            rate.set_by = by
            rate.save()
            _refuse_unpriced_days(rate.client)
            first_day = min(old_date, rate.effective_date)
            repriced = _reprice(rate.client, first_day, max(old_date, rate.effective_date))
            audit_record(
                actor=by,
                action=AuditAction.UPDATE,
                entity=rate,
                old=old,
                new={**new, "rows_repriced": repriced},
            )
    except IntegrityError:
        raise ValidationError(
            {"effective_date": f"{rate.client} already has a CPM rate from {rate.effective_date}."}
        ) from None
    return rate


def cpm_rate_delete(*, rate: CpmRate, by: User | None) -> None:
    """Remove a rate; the days it governed fall back to the previous rate and are re-priced."""
    client = rate.client
    with transaction.atomic():
        old = snapshot(rate, CPM_AUDIT_FIELDS)
        effective_date = rate.effective_date
        rate.delete()
        _refuse_unpriced_days(client)
        repriced = _reprice(client, effective_date, effective_date)
        audit_record(
            actor=by,
            action=AuditAction.DELETE,
            entity_type="clients.CpmRate",
            entity_id=old.get("client"),
            entity_label=f"{client} CPM from {effective_date}",
            old={**old, "rows_repriced": repriced},
        )
