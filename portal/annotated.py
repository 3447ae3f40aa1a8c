"""The annotations a page's charts show: the clients in scope's, as the user may see them."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from annotations.selectors import chart_annotations
from clients.models import Client
from core.chart_markers import ChartMarker
from metrics.periods import DateRange


def page_markers(
    *,
    user: User,
    clients: QuerySet[Client],
    date_range: DateRange,
    source: str | None = None,
    campaign_id: int | None = None,
    name_clients: bool = False,
) -> list[ChartMarker]:
    """Numbered markers for a chart of ``date_range``; internal notes for admins only (decided
    here from the user, never from the request)."""
    return chart_annotations(
        clients=clients,
        start=date_range.start,
        end=date_range.end,
        internal=user.is_admin,
        source=source,
        campaign_id=campaign_id,
        name_clients=name_clients,
    )
