"""Reads of restatements, for the notices on pages and summaries and for the API.

One change (a CPM change, a re-delivered file, an undone upload) writes its restatements in one
transaction, so they share their ``at``: a notice is one change of one period, with the movement
of each measure summed over the sources.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from clients.models import Client
from metrics.formatting import EN_DASH, count, money
from metrics.models import PeriodKind, Restatement
from metrics.restatements import RESTATED_MEASURES

MEASURE_WORDS = {
    "impressions": "impressions",
    "clicks": "clicks",
    "conversions": "conversions",
    "conversion_revenue": "revenue",
    "spend": "spend",
}
_MONEY = frozenset({"conversion_revenue", "spend"})


def restatements_in_range(
    *, clients: QuerySet[Client], start: dt.date, end: dt.date, source: str | None = None
) -> QuerySet[Restatement]:
    """The restatements of the clients' weeks and months that overlap [start, end]."""
    restatements = Restatement.objects.filter(
        client__in=clients, period_start__lte=end, period_end__gte=start
    )
    if source:
        restatements = restatements.filter(source=source)
    return restatements.select_related("client").order_by(
        "-at", "period_start", "period_type", "source", "measure"
    )


def difference_text(measure: str, difference: Decimal) -> str:
    """``spend +$501.11``, ``impressions -1,200``."""
    sign = "+" if difference > 0 else "-"
    value = money(abs(difference)) if measure in _MONEY else count(abs(difference))
    return f"{MEASURE_WORDS[measure]} {sign}{value}"


def period_text(period_type: str, start: dt.date, end: dt.date) -> str:
    """``Nov 3-9`` for a week (with an en dash), ``November 2025`` for a month."""
    if period_type == PeriodKind.MONTH:
        return f"{start:%B %Y}"
    if start.month == end.month:
        return f"{start:%b} {start.day}{EN_DASH}{end.day}"
    return f"{start:%b} {start.day}{EN_DASH}{end:%b} {end.day}"


@dataclass(frozen=True)
class RestatementNote:
    """One change of one client's period, as the client reads it."""

    client_id: int
    client_name: str
    period_type: str
    period_start: dt.date
    period_end: dt.date
    at: dt.datetime
    reason: str
    differences: tuple[tuple[str, Decimal], ...]

    @property
    def period(self) -> str:
        return period_text(self.period_type, self.period_start, self.period_end)

    @property
    def changes(self) -> str:
        moved = [difference_text(measure, value) for measure, value in self.differences if value]
        return ", ".join(moved) or "no net change"

    @property
    def text(self) -> str:
        """``Figures for Nov 3-9 were restated on Dec 3: CPM from $12.50 to $14.00 from Nov 1;
        spend +$501.11``."""
        on = timezone.localtime(self.at)
        return (
            f"Figures for {self.period} were restated on {on:%b} {on.day}: "
            f"{self.reason}; {self.changes}"
        )

    @property
    def line(self) -> str:
        """The line on a summary: ``Restated Dec 3: CPM from ...; spend +$501.11``."""
        on = timezone.localtime(self.at)
        return f"Restated {on:%b} {on.day}: {self.reason}; {self.changes}"


def restatement_notes(restatements: Iterable[Restatement]) -> list[RestatementNote]:
    """Restatements grouped per change and period, newest first."""
    grouped: dict[tuple[object, ...], dict[str, Decimal]] = {}
    names: dict[tuple[object, ...], str] = {}
    for row in restatements:
        key = (row.client_id, row.period_type, row.period_start, row.period_end, row.at, row.reason)
        moved = grouped.setdefault(key, dict.fromkeys(RESTATED_MEASURES, Decimal(0)))
        moved[row.measure] += row.after - row.before
        names[key] = row.client.name
    notes = [
        RestatementNote(
            client_id=key[0],  # type: ignore[arg-type]
            client_name=names[key],
            period_type=str(key[1]),
            period_start=key[2],  # type: ignore[arg-type]
            period_end=key[3],  # type: ignore[arg-type]
            at=key[4],  # type: ignore[arg-type]
            reason=str(key[5]),
            differences=tuple((measure, moved[measure]) for measure in RESTATED_MEASURES),
        )
        for key, moved in grouped.items()
    ]
    return sorted(notes, key=lambda note: (note.at, note.period_start), reverse=True)
