"""Clicks where there are none (SPEC 9): sources that report no clicks (CTV on Vibe).

Their clicks are recorded as 0, but a click rate or a cost per click over their impressions means
nothing: pages write "n/a" for their clicks, CTR and CPC, and blended rates (CTR, CPC) divide only
the impressions and spend of the sources that report clicks.
"""

from __future__ import annotations

from django.db.models import Q

from campaigns.models import Source

SOURCES_WITHOUT_CLICKS = frozenset({Source.VIBE.value})
# The measures that mean nothing for a source without clicks.
CLICK_MEASURES = ("clicks", "ctr", "cpc")


def reports_clicks(source: str) -> bool:
    return source not in SOURCES_WITHOUT_CLICKS


def click_sources() -> Q:
    """Rows (daily metrics or rollups) of the sources that report clicks."""
    return ~Q(source__in=SOURCES_WITHOUT_CLICKS)
