"""Reads for the Vibe flow and its admin pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, IntegerField, QuerySet, Value, When

from clients.models import Client, ClientStatus
from ingestion.sources.vibe.budget import WINDOW
from ingestion.sources.vibe.models import (
    ACTIVE_STATES,
    ReportState,
    VibeConnection,
    VibeKeyBudget,
    VibeReportRequest,
)


@dataclass(frozen=True)
class DueReportRequest:
    id: int
    state: str
    key_fingerprint: str | None


def due_report_requests(*, now: dt.datetime) -> list[DueReportRequest]:
    """Unfinished report requests whose time has come, in the order they should get the budget,
    with the fingerprint of the key each one uses.

    Reports already created at Vibe go first (finishing work in flight frees its slot in Vibe's
    queue and brings data sooner); then oldest ``next_attempt_at`` first, which is how backfills
    interleave clients round-robin; the id breaks ties in creation order.
    """
    rows = (
        VibeReportRequest.objects.filter(state__in=ACTIVE_STATES, next_attempt_at__lte=now)
        .annotate(
            waiting_to_be_created=Case(
                When(state=ReportState.REQUESTED, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .order_by("waiting_to_be_created", "next_attempt_at", "id")
        .values_list("id", "state", "client__vibe_connection__api_key_fingerprint")
    )
    return [DueReportRequest(*row) for row in rows]


def vibe_connection_for(client: Client) -> VibeConnection | None:
    return VibeConnection.objects.filter(client=client).first()


def clients_with_vibe() -> QuerySet[Client]:
    """Clients whose Vibe connection is enabled: the ones the daily pull covers."""
    return Client.objects.filter(
        vibe_connection__is_enabled=True, status=ClientStatus.ACTIVE
    ).order_by("pk")


def requests_in_last_hour(budget: VibeKeyBudget, *, now: dt.datetime) -> int:
    """Counted requests of ``budget``'s key within the rolling hour ending ``now``."""
    return sum(1 for stamp in budget.request_times if stamp > now - WINDOW)
