"""CPM history (SPEC 4): adding, changing or deleting a dated rate re-prices exactly the stored
days it governs and leaves an audit entry. The rate is saved at once, in the request; the
re-pricing of the rollups is queued (``metrics.repricing``) and the dashboard says "re-pricing"
until it is done. Each takes the client's locks first (``metrics.locks``), so it waits for a
running ingest."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, transaction

from accounts.audit import audit_record, changed_values, snapshot
from accounts.models import AuditAction, User
from clients.models import Client, CpmRate
from clients.services import CPM_AUDIT_FIELDS, validate_cpm, validate_rate
from core.db import (
    FOREIGN_KEY_VIOLATION,
    UNIQUE_VIOLATION,
    WriteConflict,
    is_unique_violation,
    violation,
)
from metrics.locks import lock_client_sources, waited_too_long
from metrics.pricing import unpriceable_range
from metrics.repricing import repricing_queue
from metrics.restatements import cpm_reason, cpm_removed_reason

# The one rule whose violation means "this client already has a rate from that date".
CPM_RATE_UNIQUE = "cpm_rate_one_per_client_and_date"


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


def _rate_on(client: Client, day: dt.date) -> Decimal | None:
    """The CPM in effect on ``day`` as the rates stand now."""
    return (
        CpmRate.objects.filter(client=client, effective_date__lte=day)
        .order_by("-effective_date")
        .values_list("cpm", flat=True)
        .first()
    )


def _reprice(
    client: Client, first_day: dt.date, anchor: dt.date, *, reason: str, by: User | None
) -> str:
    """Queue the re-pricing of the days from ``first_day`` to the end of the period of the rate
    starting on ``anchor``; the governed days, as the audit entry records them."""
    last_day = _governed_until(client, anchor)
    repricing_queue(client=client, date_from=first_day, date_to=last_day, reason=reason, by=by)
    return f"{first_day}..{last_day or ''}"


def _rate_refusal(
    error: IntegrityError, client: Client, effective_date: dt.date
) -> ValidationError:
    """What a refused rate write really ran into. Only a unique violation of the rate's own
    constraint is a duplicate; a unique violation elsewhere is the re-pricing colliding with
    another writer of the client's figures (an ingestion, say), which trying again resolves."""
    if is_unique_violation(error, CPM_RATE_UNIQUE):
        return ValidationError(
            {"effective_date": f"{client} already has a CPM rate from {effective_date}."}
        )
    sqlstate, constraint = violation(error)
    rule = f" ({constraint})" if constraint else ""
    not_saved = f"The CPM rate of {client} from {effective_date} was not saved"
    if sqlstate == UNIQUE_VIOLATION:
        return WriteConflict(
            f"{not_saved}: another process was writing {client}'s figures for the days it "
            f"re-prices at the same time{rule}. Nothing was changed; try again in a moment."
        )
    if sqlstate == FOREIGN_KEY_VIOLATION:
        return WriteConflict(
            f"{not_saved}: something it refers to was removed at the same time{rule}. "
            "Nothing was changed; reload the page and try again."
        )
    reason = str(error).splitlines()[0] if str(error) else type(error).__name__
    return ValidationError(f"{not_saved}: the database refused it{rule}: {reason}")


def _lock_client(client: Client) -> None:
    """The client's figures, every source, in the one lock order (``metrics.locks``), waiting at
    most ``CPM_LOCK_WAIT_SECONDS`` for a running ingestion so a web request still answers."""
    lock_client_sources(client_id=client.pk, wait_seconds=settings.CPM_LOCK_WAIT_SECONDS)


def _busy(client: Client, effective_date: dt.date) -> WriteConflict:
    return WriteConflict(
        f"The CPM rate of {client} from {effective_date} was not saved: an ingestion of "
        f"{client}'s data is loading right now and the re-pricing would have to wait for it. "
        "Nothing was changed; try again in a minute."
    )


def cpm_rate_add(
    *, client: Client, cpm: Decimal, effective_date: dt.date, by: User | None, note: str = ""
) -> CpmRate:
    """Add a dated CPM rate and re-price exactly the stored days it governs."""
    validate_rate(CpmRate(client=client, cpm=cpm, effective_date=effective_date, note=note))
    if CpmRate.objects.filter(client=client, effective_date=effective_date).exists():
        raise ValidationError(
            {
                "effective_date": f"{client} already has a CPM rate from {effective_date}; "
                "change that rate instead."
            }
        )
    try:
        with transaction.atomic():
            _lock_client(client)
            reason = cpm_reason(
                old_cpm=_rate_on(client, effective_date), new_cpm=cpm, effective_date=effective_date
            )
            rate = CpmRate.objects.create(
                client=client, cpm=cpm, effective_date=effective_date, set_by=by, note=note
            )
            repriced = _reprice(client, effective_date, effective_date, reason=reason, by=by)
            audit_record(
                actor=by,
                action=AuditAction.CREATE,
                entity=rate,
                new={**snapshot(rate, CPM_AUDIT_FIELDS), "days_repriced": repriced},
            )
    except IntegrityError as error:
        raise _rate_refusal(error, client, effective_date) from None
    except OperationalError as error:
        if waited_too_long(error):
            raise _busy(client, effective_date) from None
        raise
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
    old_date, old_cpm = rate.effective_date, rate.cpm
    if cpm is not None:
        validate_cpm(cpm)
        rate.cpm = cpm
    if effective_date is not None:
        rate.effective_date = effective_date
    if note is not None:
        rate.note = note
    old, new = changed_values(before, snapshot(rate, CPM_AUDIT_FIELDS))
    if not new:
        return rate
    validate_rate(rate)
    try:
        with transaction.atomic():
            _lock_client(rate.client)
            rate.set_by = by
            rate.save()
            _refuse_unpriced_days(rate.client)
            first_day = min(old_date, rate.effective_date)
            reason = cpm_reason(
                old_cpm=old_cpm,
                new_cpm=rate.cpm,
                effective_date=rate.effective_date,
                old_date=old_date,
            )
            repriced = _reprice(
                rate.client, first_day, max(old_date, rate.effective_date), reason=reason, by=by
            )
            audit_record(
                actor=by,
                action=AuditAction.UPDATE,
                entity=rate,
                old=old,
                new={**new, "days_repriced": repriced},
            )
    except IntegrityError as error:
        raise _rate_refusal(error, rate.client, rate.effective_date) from None
    except OperationalError as error:
        if waited_too_long(error):
            raise _busy(rate.client, rate.effective_date) from None
        raise
    return rate


def cpm_rate_delete(*, rate: CpmRate, by: User | None) -> None:
    """Remove a rate; the days it governed fall back to the previous rate and are re-priced."""
    client = rate.client
    try:
        with transaction.atomic():
            _lock_client(client)
            _delete(rate, client, by)
    except OperationalError as error:
        if waited_too_long(error):
            raise _busy(client, rate.effective_date) from None
        raise


def _delete(rate: CpmRate, client: Client, by: User | None) -> None:
    old = snapshot(rate, CPM_AUDIT_FIELDS)
    effective_date = rate.effective_date
    rate.delete()
    _refuse_unpriced_days(client)
    reason = cpm_removed_reason(
        cpm=rate.cpm, effective_date=effective_date, fallback=_rate_on(client, effective_date)
    )
    repriced = _reprice(client, effective_date, effective_date, reason=reason, by=by)
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        entity_type="clients.CpmRate",
        entity_id=old.get("client"),
        entity_label=f"{client} CPM from {effective_date}",
        old={**old, "days_repriced": repriced},
    )
