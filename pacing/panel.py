"""The dashboard's pacing panel: one row per order flying in the range on screen, with a
progress bar marked where delivery should be, the pace, the projection and the status."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from clients.models import Client
from pacing.selectors import Pacing, insertion_orders_of, pacing_of

STATUS_LABELS = {
    "not_started": "Not started",
    "under": "Under pace",
    "on_track": "On track",
    "over": "Over pace",
    "finished": "Finished",
}
# Rows needing attention first, then by flight end.
STATUS_ORDER = ["under", "over", "on_track", "not_started", "finished"]


def _percent_of(part: Decimal | int | None, whole: Decimal | int | None) -> Decimal:
    """``part`` as a percent of ``whole``, one decimal."""
    if not part or not whole:
        return Decimal(0)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _share(part: Decimal | int | None, whole: Decimal | int | None) -> Decimal:
    """``part`` as a percent of ``whole`` for a bar: at most 100."""
    return min(Decimal(100), _percent_of(part, whole))


@dataclass(frozen=True)
class PanelRow:
    pacing: Pacing
    measure: str  # "impressions" or "spend"
    contracted: Decimal | int
    delivered: Decimal | int
    expected: Decimal | int
    projected: Decimal | int
    delivered_share: Decimal
    expected_share: Decimal
    projected_percent: Decimal  # of the contract, not capped (a bar's width is)

    @property
    def order(self) -> object:
        return self.pacing.order

    @property
    def status(self) -> str:
        return self.pacing.status

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.pacing.status]


def pacing_panel(*, clients: QuerySet[Client], start: dt.date, end: dt.date) -> list[PanelRow]:
    """Rows for the orders whose flight meets start..end, paced on their latest loaded day
    (not after ``end``)."""
    orders = list(
        insertion_orders_of(clients=clients)
        .filter(start_date__lte=end, end_date__gte=start)
        .prefetch_related(None)  # pacing reads the chosen campaigns itself, for every order
    )
    found = pacing_of(orders, not_after=end)
    rows = []
    for order in orders:
        pacing = found[order.pk]
        figures = pacing.as_dict()
        if pacing.paced_on == "impressions":
            contracted: Decimal | int = order.contracted_impressions or 0
            delivered = figures["delivered_impressions"]
            expected = figures["expected_impressions"] or 0
            projected = figures["projected_impressions"]
        else:
            contracted = order.contracted_budget or Decimal(0)
            delivered = figures["delivered_spend"]
            expected = figures["expected_spend"] or Decimal(0)
            projected = figures["projected_spend"]
        assert isinstance(delivered, int | Decimal) and isinstance(expected, int | Decimal)
        assert isinstance(projected, int | Decimal)
        rows.append(
            PanelRow(
                pacing=pacing,
                measure=pacing.paced_on,
                contracted=contracted,
                delivered=delivered,
                expected=expected,
                projected=projected,
                delivered_share=_share(delivered, contracted),
                expected_share=_share(expected, contracted),
                projected_percent=_percent_of(projected, contracted),
            )
        )
    rows.sort(key=lambda row: (STATUS_ORDER.index(row.status), row.pacing.order.end_date))
    return rows
