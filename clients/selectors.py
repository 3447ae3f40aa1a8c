"""Reads of clients and their CPM history."""

from __future__ import annotations

import datetime as dt

from django.db.models import OuterRef, QuerySet, Subquery

from clients.models import Client, CpmRate


def clients_with_current_cpm(clients: QuerySet[Client], *, on: dt.date) -> QuerySet[Client]:
    """``clients`` annotated with ``current_cpm``: the rate in effect on ``on``."""
    current = (
        CpmRate.objects.filter(client=OuterRef("pk"), effective_date__lte=on)
        .order_by("-effective_date")
        .values("cpm")[:1]
    )
    return clients.annotate(current_cpm=Subquery(current))


def cpm_history(client: Client) -> QuerySet[CpmRate]:
    return client.cpm_rates.select_related("set_by").order_by("-effective_date")
