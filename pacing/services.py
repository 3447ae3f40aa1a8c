"""Writes to insertion orders. Every function validates first, writes nothing on refusal and
leaves an audit entry.

Writes of one client's orders are serialised by locking the client row, so two admins cannot
save overlapping orders at the same moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.audit import audit_record, changed_values, snapshot
from accounts.models import AuditAction, User
from campaigns.models import Campaign, Source
from clients.models import Client
from pacing.coverage import CampaignRow, Coverage
from pacing.models import BUDGET_DECIMAL_PLACES, DeliveryShape, InsertionOrder

ORDER_AUDIT_FIELDS = [
    "client",
    "name",
    "sources",
    "campaign_name_pattern",
    "start_date",
    "end_date",
    "contracted_impressions",
    "contracted_budget",
    "delivery_shape",
]
# A quadrillion: far beyond any order, well inside the column's range.
MAX_IMPRESSIONS = 10**15
# Values an order may be given through ``insertion_order_update``.
UPDATABLE_FIELDS = frozenset(ORDER_AUDIT_FIELDS) - {"client"}


def _campaign_rows(client: Client) -> list[CampaignRow]:
    return [
        CampaignRow(*row)
        for row in Campaign.objects.filter(client=client).values_list(
            "id", "client_id", "source", "name"
        )
    ]


def coverage_of(order: InsertionOrder, campaign_ids: Iterable[int]) -> Coverage:
    return Coverage(
        client_id=order.client_id,
        sources=frozenset(order.sources),
        campaign_ids=frozenset(campaign_ids),
        name_pattern=order.campaign_name_pattern.strip(),
    )


def insertion_order_check(*, order: InsertionOrder, campaign_ids: Iterable[int]) -> None:
    """Raise the refusals an order (saved or not) would get, writing nothing: for forms that
    show them beside their fields before saving through the functions below."""
    _validate(order, sorted(set(campaign_ids)))


def _validate(order: InsertionOrder, campaign_ids: list[int]) -> None:
    """Every refusal at once, as field -> messages, before anything is written."""
    errors: dict[str, list[str]] = {}
    if not order.name.strip():
        errors.setdefault("name", []).append("Give the order a name.")
    elif (
        InsertionOrder.objects.filter(client_id=order.client_id, name=order.name)
        .exclude(pk=order.pk)
        .exists()
    ):
        errors.setdefault("name", []).append(
            f"{order.client} already has an order named '{order.name}'."
        )
    if order.start_date and order.end_date and order.end_date < order.start_date:
        errors.setdefault("end_date", []).append(
            f"The flight ends ({order.end_date}) before it starts ({order.start_date})."
        )
    impressions, budget = order.contracted_impressions, order.contracted_budget
    if impressions is None and budget is None:
        errors.setdefault("contracted_impressions", []).append(
            "Give contracted impressions, a contracted budget, or both."
        )
    if impressions is not None and impressions <= 0:
        errors.setdefault("contracted_impressions", []).append(
            f"Contracted impressions must be greater than zero, not {impressions}."
        )
    elif impressions is not None and impressions > MAX_IMPRESSIONS:
        errors.setdefault("contracted_impressions", []).append(
            f"Contracted impressions can be at most {MAX_IMPRESSIONS:,}."
        )
    if budget is not None:
        if budget <= 0:
            errors.setdefault("contracted_budget", []).append(
                f"A contracted budget must be greater than zero, not {budget}."
            )
        elif budget != budget.quantize(Decimal(1).scaleb(-BUDGET_DECIMAL_PLACES)):
            errors.setdefault("contracted_budget", []).append(
                f"A budget has at most {BUDGET_DECIMAL_PLACES} decimal places."
            )
    unknown_sources = sorted(set(order.sources) - set(Source.values))
    if unknown_sources:
        errors.setdefault("sources", []).append(
            f"Unknown source(s): {', '.join(unknown_sources)}. Use {', '.join(Source.values)}."
        )
    if order.delivery_shape not in DeliveryShape.values:
        errors.setdefault("delivery_shape", []).append(
            f"Use one of: {', '.join(DeliveryShape.values)}."
        )
    if campaign_ids:
        own = set(
            Campaign.objects.filter(client_id=order.client_id, pk__in=campaign_ids).values_list(
                "pk", flat=True
            )
        )
        # Another client's campaign reads like a missing one: its name is not ours to show.
        foreign = sorted(set(campaign_ids) - own)
        if foreign:
            errors.setdefault("campaign_ids", []).append(
                f"Not campaigns of {order.client}: {', '.join(map(str, foreign))}."
            )
        sources = set(order.sources)
        if sources and not foreign:
            off_source = Campaign.objects.filter(pk__in=campaign_ids).exclude(source__in=sources)
            names = sorted(off_source.values_list("name", flat=True))
            if names:
                errors.setdefault("campaign_ids", []).append(
                    f"Not from the order's sources ({', '.join(sorted(sources))}): "
                    f"{', '.join(names)}."
                )
    if errors:
        raise ValidationError(errors)
    _refuse_overlap(order, campaign_ids)


def _refuse_overlap(order: InsertionOrder, campaign_ids: list[int]) -> None:
    others = list(
        InsertionOrder.objects.filter(
            client_id=order.client_id,
            start_date__lte=order.end_date,
            end_date__gte=order.start_date,
        )
        .exclude(pk=order.pk)
        .prefetch_related("campaigns")
    )
    if not others:
        return
    rows = _campaign_rows(order.client)
    mine = coverage_of(order, campaign_ids)
    clashes = [
        other
        for other in others
        if mine.may_overlap(coverage_of(other, [c.pk for c in other.campaigns.all()]), rows)
    ]
    if clashes:
        named = "; ".join(
            f"'{other.name}' ({other.start_date} to {other.end_date})" for other in clashes
        )
        raise ValidationError(
            {
                "campaign_ids": [
                    f"This order overlaps {named} over the same campaigns. Change the dates or "
                    "the campaigns so each campaign has one order at a time."
                ]
            }
        )


def _audit_values(order: InsertionOrder, campaign_ids: list[int]) -> dict[str, Any]:
    return {**snapshot(order, ORDER_AUDIT_FIELDS), "campaign_ids": sorted(campaign_ids)}


def _lock_client(client_id: int) -> None:
    Client.objects.select_for_update().filter(pk=client_id).values_list("pk").first()


def insertion_order_create(
    *,
    client: Client,
    name: str,
    start_date: dt.date,
    end_date: dt.date,
    by: User | None,
    contracted_impressions: int | None = None,
    contracted_budget: Decimal | None = None,
    campaign_ids: Iterable[int] = (),
    campaign_name_pattern: str = "",
    sources: Iterable[str] = (),
    delivery_shape: str = DeliveryShape.EVEN,
) -> InsertionOrder:
    """Create an order; refused (nothing written) when it is invalid or overlaps another."""
    ids = sorted(set(campaign_ids))
    order = InsertionOrder(
        client=client,
        name=name.strip(),
        start_date=start_date,
        end_date=end_date,
        contracted_impressions=contracted_impressions,
        contracted_budget=contracted_budget,
        campaign_name_pattern=campaign_name_pattern.strip(),
        sources=sorted(set(sources)),
        delivery_shape=delivery_shape,
        created_by=by if by is not None and by.pk else None,
    )
    with transaction.atomic():
        _lock_client(client.pk)
        _validate(order, ids)
        order.save()
        order.campaigns.set(ids)
        audit_record(
            actor=by, action=AuditAction.CREATE, entity=order, new=_audit_values(order, ids)
        )
    return order


def insertion_order_update(
    *,
    order: InsertionOrder,
    by: User | None,
    campaign_ids: Iterable[int] | None = None,
    **changes: Any,
) -> InsertionOrder:
    """Change an order's fields and/or campaigns; refused (nothing written) like a creation."""
    unknown = sorted(set(changes) - UPDATABLE_FIELDS)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in unknown})
    before_ids = sorted(order.campaigns.values_list("pk", flat=True))
    ids = sorted(set(campaign_ids)) if campaign_ids is not None else before_ids
    before = _audit_values(order, before_ids)
    for field, value in changes.items():
        if field in ("name", "campaign_name_pattern") and isinstance(value, str):
            value = value.strip()
        if field == "sources":
            value = sorted(set(value))
        setattr(order, field, value)
    old, new = changed_values(before, _audit_values(order, ids))
    if not new:
        return order
    try:
        with transaction.atomic():
            _lock_client(order.client_id)
            _validate(order, ids)
            order.save()
            order.campaigns.set(ids)
            audit_record(actor=by, action=AuditAction.UPDATE, entity=order, old=old, new=new)
    except ValidationError:
        order.refresh_from_db()
        raise
    return order


def insertion_order_delete(*, order: InsertionOrder, by: User | None) -> None:
    ids = sorted(order.campaigns.values_list("pk", flat=True))
    with transaction.atomic():
        audit_record(
            actor=by, action=AuditAction.DELETE, entity=order, old=_audit_values(order, ids)
        )
        order.delete()
