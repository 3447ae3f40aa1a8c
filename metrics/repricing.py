"""Queued re-pricing after a CPM change (SPEC 11): the rate is saved in the request, the rollups
of the governed days are re-priced by a worker (``metrics.tasks.repricing_run``) under a lease.

Until the work is done the client's figures are "being re-priced" (``repricing_pending``): the
dashboard page and the dashboard API say so. The re-pricing waits for a running ingestion of the
client (the one lock order, ``metrics.locks``), never blocks reads (it updates a few thousand
rollup rows, not the detail), and is safe to run twice: it prices the days from the rates as
they are when it runs.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django_q.tasks import async_task

from accounts.models import User
from clients.models import Client
from core import leases
from metrics.locks import lock_client_sources
from metrics.models import PENDING_REPRICING, Repricing, RepricingStatus
from metrics.rollups import rollups_refresh

TASK = "metrics.tasks.repricing_run"


def _money(cpm: Decimal) -> str:
    return f"${cpm:,.2f}" if cpm == cpm.quantize(Decimal("0.01")) else f"${cpm.normalize():,}"


def _day(day: dt.date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def repricing_reason(
    *, before: Decimal | None, after: Decimal | None, effective_date: dt.date
) -> str:
    """What a CPM change did, for people: "CPM from $12.50 to $14.00 from Nov 1, 2025"."""
    if before is None and after is not None:
        return f"CPM {_money(after)} from {_day(effective_date)}"
    if after is None and before is not None:
        return f"CPM {_money(before)} from {_day(effective_date)} removed"
    assert before is not None and after is not None
    return f"CPM from {_money(before)} to {_money(after)} from {_day(effective_date)}"


def repricing_queue(
    *,
    client: Client,
    date_from: dt.date,
    date_to: dt.date | None,
    reason: str,
    by: User | None,
) -> Repricing:
    """Record the re-pricing of [date_from, date_to] and queue it once the transaction that
    saved the rate commits."""
    repricing = Repricing.objects.create(
        client=client, date_from=date_from, date_to=date_to, reason=reason[:255], requested_by=by
    )
    transaction.on_commit(lambda: async_task(TASK, repricing.pk))
    return repricing


def repricing_perform(*, repricing_id: int) -> int:
    """Re-price the rollups of a queued re-pricing (the task's body); the number of
    campaign-days whose spend changed. Nothing to do once it is done."""
    with leases.held(leases.REPRICING, repricing_id):
        started = Repricing.objects.filter(pk=repricing_id, status__in=PENDING_REPRICING).update(
            status=RepricingStatus.RUNNING
        )
        if not started:
            return 0
        job = Repricing.objects.get(pk=repricing_id)
        try:
            with transaction.atomic():
                # Waits for a running ingestion of the client; reads are never blocked.
                lock_client_sources(client_id=job.client_id)
                changed = rollups_refresh(
                    client_id=job.client_id,
                    date_from=job.date_from,
                    date_to=job.date_to,
                    reason=job.reason,
                    by_id=job.requested_by_id,
                    spend_only=True,
                )
                Repricing.objects.filter(pk=repricing_id).update(
                    status=RepricingStatus.DONE,
                    finished_at=timezone.now(),
                    message=f"{changed} campaign-days re-priced.",
                )
        except Exception as error:
            Repricing.objects.filter(pk=repricing_id).update(
                status=RepricingStatus.FAILED,
                finished_at=timezone.now(),
                message=f"The re-pricing failed: {error}"[:2000],
            )
            raise
    return changed


def repricing_requeue(*, repricing_id: int, why: str) -> bool:
    """Queue again a re-pricing whose worker died (the sweeper): its work was rolled back with
    its process and the rate stays saved, so the days must still be re-priced."""
    requeued = Repricing.objects.filter(pk=repricing_id, status__in=PENDING_REPRICING).update(
        status=RepricingStatus.QUEUED, message=f"Interrupted: {why}; queued again."[:2000]
    )
    if requeued:
        transaction.on_commit(lambda: async_task(TASK, repricing_id))
    return bool(requeued)


def repricing_pending(*, clients: QuerySet[Client]) -> list[str]:
    """The names of the clients in scope whose figures are being re-priced right now."""
    pending = Repricing.objects.filter(client__in=clients, status__in=PENDING_REPRICING)
    return sorted(
        set(
            Client.objects.filter(pk__in=pending.values("client_id")).values_list("name", flat=True)
        )
    )
