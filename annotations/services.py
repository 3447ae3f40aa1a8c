"""Writing manual annotations: every create, change and delete is checked first (nothing is
written when it is refused) and leaves an audit entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.audit import audit_record, changed_values, snapshot
from accounts.models import AuditAction, User
from annotations.models import Annotation, Visibility
from campaigns.models import Campaign
from clients.models import Client

AUDITED_FIELDS = ["client", "campaign", "start_date", "end_date", "text", "visibility"]
UPDATABLE_FIELDS = frozenset({"campaign", "start_date", "end_date", "text", "visibility"})


def _day(value: dt.date) -> str:
    return f"{value:%b} {value.day}, {value.year}"


def annotation_check(*, annotation: Annotation) -> None:
    """Refuse (``ValidationError`` by field) an annotation that ends before it starts or names a
    campaign of another client; also every field rule of the model."""
    errors: dict[str, list[str]] = {}
    try:
        annotation.full_clean(validate_constraints=False)
    except ValidationError as error:
        errors.update(error.message_dict)
    end, start = annotation.end_date, annotation.start_date
    if end is not None and start is not None and end < start:
        errors.setdefault("end_date", []).append(
            f"The end ({_day(end)}) is before the start ({_day(start)}): choose an end on or "
            "after the start, or leave it empty for one day."
        )
    campaign: Campaign | None = annotation.campaign
    if campaign is not None and annotation.client_id and campaign.client_id != annotation.client_id:
        errors.setdefault("campaign", []).append(
            f'The campaign "{campaign.name}" belongs to another client, not to '
            f"{annotation.client.name}: choose one of {annotation.client.name}'s campaigns."
        )
    if errors:
        raise ValidationError(errors)


def annotation_create(
    *,
    client: Client,
    start_date: dt.date,
    text: str,
    by: User | None,
    end_date: dt.date | None = None,
    visibility: str = Visibility.CLIENT,
    campaign: Campaign | None = None,
) -> Annotation:
    """A manual annotation; refused (nothing written) when it is invalid."""
    annotation = Annotation(
        client=client,
        campaign=campaign,
        start_date=start_date,
        end_date=end_date if end_date != start_date else None,
        text=text.strip(),
        visibility=visibility,
        created_by=by if by is not None and by.pk else None,
    )
    annotation_check(annotation=annotation)
    with transaction.atomic():
        annotation.save()
        audit_record(
            actor=by,
            action=AuditAction.CREATE,
            entity=annotation,
            new=snapshot(annotation, AUDITED_FIELDS),
        )
    return annotation


def annotation_update(*, annotation: Annotation, by: User | None, **changes: Any) -> Annotation:
    """Change an annotation's days, text, visibility or campaign (never its client); refused
    (nothing written) like a creation."""
    unknown = sorted(set(changes) - UPDATABLE_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in unknown})
    before = snapshot(annotation, AUDITED_FIELDS)
    for field, value in changes.items():
        setattr(annotation, field, value.strip() if isinstance(value, str) else value)
    if annotation.end_date == annotation.start_date:
        annotation.end_date = None
    old, new = changed_values(before, snapshot(annotation, AUDITED_FIELDS))
    if not new:
        return annotation
    try:
        annotation_check(annotation=annotation)
    except ValidationError:
        annotation.refresh_from_db()
        raise
    with transaction.atomic():
        annotation.save()
        audit_record(actor=by, action=AuditAction.UPDATE, entity=annotation, old=old, new=new)
    return annotation


def annotation_delete(*, annotation: Annotation, by: User | None) -> None:
    with transaction.atomic():
        audit_record(
            actor=by,
            action=AuditAction.DELETE,
            entity=annotation,
            old=snapshot(annotation, AUDITED_FIELDS),
        )
        annotation.delete()
