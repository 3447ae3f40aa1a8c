"""Reading annotations: every provider's entries for the clients in scope, and who may see them.

Client users see the client-visible manual annotations and every automatic one; internal ones
are for admins only. The caller says which (``internal``), from the user: never from a request
parameter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db.models import QuerySet

from annotations import providers  # noqa: F401  (registers the providers)
from annotations.models import Visibility
from annotations.registry import PROVIDERS, AnnotationEntry, AnnotationQuery
from clients.models import Client
from core.chart_markers import ChartMarker

# Kinds in the order a day's markers are listed.
KIND_ORDER = (
    "cpm_change",
    "missing_file",
    "restatement",
    "flight_start",
    "flight_end",
    "manual",
)


def annotations_in_range(
    *,
    clients: QuerySet[Client],
    start: dt.date,
    end: dt.date,
    internal: bool,
    source: str | None = None,
    campaign_id: int | None = None,
) -> list[AnnotationEntry]:
    """Every annotation of ``clients`` that touches ``start`` .. ``end``, by first day, kind and
    client; internal ones only when ``internal`` (admins)."""
    query = AnnotationQuery(
        clients=clients, start=start, end=end, source=source, campaign_id=campaign_id
    )
    entries = [
        entry
        for function in PROVIDERS.values()
        for entry in function(query)
        if internal or entry.visibility != Visibility.INTERNAL
    ]
    return sorted(entries, key=_order)


def _order(entry: AnnotationEntry) -> tuple[dt.date, int, str, dt.date, str]:
    rank = KIND_ORDER.index(entry.kind) if entry.kind in KIND_ORDER else len(KIND_ORDER)
    return (entry.start_date, rank, entry.client_name, entry.end_date, entry.text)


def chart_markers(entries: Sequence[AnnotationEntry], *, name_clients: bool) -> list[ChartMarker]:
    """The entries as numbered chart markers; ``name_clients`` (a chart of several clients)
    puts each one's client before its text, and "internal" after an internal one's."""
    markers = []
    for number, entry in enumerate(entries, start=1):
        text = f"{entry.client_name}: {entry.text}" if name_clients else entry.text
        if entry.visibility == Visibility.INTERNAL:
            text = f"{text} (internal)"
        markers.append(ChartMarker(number, entry.start_date, entry.end_date, text))
    return markers


def chart_annotations(
    *,
    clients: QuerySet[Client],
    start: dt.date,
    end: dt.date,
    internal: bool,
    source: str | None = None,
    campaign_id: int | None = None,
    name_clients: bool = False,
) -> list[ChartMarker]:
    """``annotations_in_range`` as numbered chart markers."""
    entries = annotations_in_range(
        clients=clients,
        start=start,
        end=end,
        internal=internal,
        source=source,
        campaign_id=campaign_id,
    )
    return chart_markers(entries, name_clients=name_clients)
