"""The annotations of a chart: what is asked (``AnnotationQuery``), what comes back
(``AnnotationEntry``) and the providers that answer, one small function per kind.

Automatic annotations are computed when they are read, from the data they describe (a CPM rate,
an ingestion run, an insertion order), so there is no stored copy to keep in step. Adding a kind
is one function::

    @provider("restatement")
    def restatements(query: AnnotationQuery) -> Iterable[AnnotationEntry]:
        ...

Each provider is given the clients in scope already (never a user) and returns only their
entries; which entries a person may see (internal ones) is decided once, in ``selectors``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from annotations.models import Visibility
from clients.models import Client


@dataclass(frozen=True)
class AnnotationQuery:
    """The chart asking: its clients and days, and what narrows them (a source, a campaign)."""

    clients: QuerySet[Client]
    start: dt.date
    end: dt.date
    source: str | None = None
    campaign_id: int | None = None


@dataclass(frozen=True)
class AnnotationEntry:
    """One annotation as charts, tables and the API show it."""

    kind: str
    client_id: int
    client_name: str
    start_date: dt.date
    end_date: dt.date
    text: str
    visibility: str = Visibility.CLIENT
    # The stored row of a manual annotation; automatic ones have none.
    annotation_id: int | None = None

    @property
    def automatic(self) -> bool:
        return self.kind != "manual"


Provider = Callable[[AnnotationQuery], Iterable[AnnotationEntry]]
PROVIDERS: dict[str, Provider] = {}


def provider(kind: str) -> Callable[[Provider], Provider]:
    """Register ``function`` as the provider of ``kind`` (one per kind)."""

    def register(function: Provider) -> Provider:
        if kind in PROVIDERS and PROVIDERS[kind] is not function:
            raise ValueError(f"annotations of kind {kind!r} already have a provider")
        PROVIDERS[kind] = function
        return function

    return register
