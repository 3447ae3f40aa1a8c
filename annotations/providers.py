"""The providers of every kind of annotation (see ``annotations.registry``)."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q

from annotations.models import Annotation
from annotations.registry import AnnotationEntry, AnnotationQuery, provider
from campaigns.models import Source
from clients.models import CpmRate
from ingestion.models.runs import IngestionRun, RunStatus
from metrics.selectors.restatements import restatement_notes, restatements_in_range
from pacing.models import InsertionOrder

LOADED = (RunStatus.SUCCESS, RunStatus.PARTIAL)


def cpm_text(cpm: Decimal) -> str:
    """``$12.50``; a CPM with more places keeps them (``$12.3456``)."""
    cents = cpm.quantize(Decimal("0.01"))
    return f"${cents:,.2f}" if cents == cpm else f"${cpm.normalize():,}"


@provider("manual")
def manual(query: AnnotationQuery) -> Iterable[AnnotationEntry]:
    """The admins' own notes; on a campaign's pages only those for every chart or that campaign."""
    notes = (
        Annotation.objects.filter(client__in=query.clients, start_date__lte=query.end)
        .filter(
            Q(end_date__gte=query.start) | Q(end_date__isnull=True, start_date__gte=query.start)
        )
        .select_related("client")
    )
    if query.campaign_id is not None:
        notes = notes.filter(Q(campaign__isnull=True) | Q(campaign_id=query.campaign_id))
    for note in notes:
        yield AnnotationEntry(
            kind="manual",
            client_id=note.client_id,
            client_name=note.client.name,
            start_date=note.start_date,
            end_date=note.last_day,
            text=note.text,
            visibility=note.visibility,
            annotation_id=note.pk,
        )


@provider("cpm_change")
def cpm_changes(query: AnnotationQuery) -> Iterable[AnnotationEntry]:
    """A client's CPM taking a new value on a day of the range: ``CPM $12.50 -> $14.00``.

    A client's first rate changes nothing (there was none before), so it is not a marker."""
    rates = (
        CpmRate.objects.filter(client__in=query.clients, effective_date__lte=query.end)
        .select_related("client")
        .order_by("client_id", "effective_date")
    )
    previous: dict[int, Decimal] = {}
    for rate in rates:
        before = previous.get(rate.client_id)
        previous[rate.client_id] = rate.cpm
        if before is None or rate.effective_date < query.start or before == rate.cpm:
            continue
        yield AnnotationEntry(
            kind="cpm_change",
            client_id=rate.client_id,
            client_name=rate.client.name,
            start_date=rate.effective_date,
            end_date=rate.effective_date,
            text=f"CPM {cpm_text(before)} -> {cpm_text(rate.cpm)}",
        )


@provider("missing_file")
def missing_files(query: AnnotationQuery) -> Iterable[AnnotationEntry]:
    """A scheduled pull that found no file for its day (``Surfside file missing``), unless a
    later run of the same client, source and day loaded it after all."""
    loaded_later = IngestionRun.objects.filter(
        client_id=OuterRef("client_id"),
        source=OuterRef("source"),
        requested_date=OuterRef("requested_date"),
        status__in=LOADED,
        started_at__gt=OuterRef("started_at"),
    )
    runs = (
        IngestionRun.objects.filter(
            client__in=query.clients,
            status=RunStatus.MISSING_FILE,
            requested_date__range=(query.start, query.end),
        )
        .exclude(Exists(loaded_later))
        .order_by("client_id", "source", "requested_date")
        .distinct("client_id", "source", "requested_date")
        .values_list("client_id", "client__name", "source", "requested_date")
    )
    if query.source:
        runs = runs.filter(source=query.source)
    for client_id, client_name, source, day in runs:
        if day is None:  # filtered out above; the type does not know it
            continue
        yield AnnotationEntry(
            kind="missing_file",
            client_id=client_id,
            client_name=client_name,
            start_date=day,
            end_date=day,
            text=f"{Source(source).label} file missing",
        )


@provider("flight")
def flights(query: AnnotationQuery) -> Iterable[AnnotationEntry]:
    """Insertion orders starting or ending on a day of the range: ``Flight start: Q4 CTV``."""
    orders = InsertionOrder.objects.filter(
        Q(start_date__range=(query.start, query.end)) | Q(end_date__range=(query.start, query.end)),
        client__in=query.clients,
    ).select_related("client")
    if query.source:
        orders = orders.filter(Q(sources=[]) | Q(sources__contains=[query.source]))
    for order in orders:
        for kind, day, word in (
            ("flight_start", order.start_date, "start"),
            ("flight_end", order.end_date, "end"),
        ):
            if query.start <= day <= query.end:
                yield AnnotationEntry(
                    kind=kind,
                    client_id=order.client_id,
                    client_name=order.client.name,
                    start_date=day,
                    end_date=day,
                    text=f"Flight {word}: {order.name}",
                )


@provider("restatement")
def restatements(query: AnnotationQuery) -> Iterable[AnnotationEntry]:
    """A closed week or month whose figures changed (SPEC 9), over the days of that period:
    ``Restated Dec 3: CPM from $12.50 to $14.00 from Nov 1; spend +$501.11``."""
    restated = restatements_in_range(
        clients=query.clients, start=query.start, end=query.end, source=query.source
    )
    for note in restatement_notes(restated):
        yield AnnotationEntry(
            kind="restatement",
            client_id=note.client_id,
            client_name=note.client_name,
            start_date=note.period_start,
            end_date=note.period_end,
            text=note.line,
        )
