"""Which campaigns an insertion order covers, for saved orders and for ones being validated.

Pure matching over campaign rows already fetched, so covering 200 orders costs two queries (the
clients' campaigns and the chosen ones), not one per order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class CampaignRow:
    id: int
    client_id: int
    source: str
    name: str


@dataclass(frozen=True)
class Coverage:
    """What an order says it covers: chosen campaigns, a name pattern, the sources."""

    client_id: int
    sources: frozenset[str]
    campaign_ids: frozenset[int]
    name_pattern: str

    @property
    def is_whole_client(self) -> bool:
        """Neither campaigns nor a pattern: every campaign of the client (in its sources)."""
        return not self.campaign_ids and not self.name_pattern

    def sources_meet(self, other: Coverage) -> bool:
        """Whether the two orders' sources can hold the same campaign (empty = every source)."""
        return not self.sources or not other.sources or bool(self.sources & other.sources)

    def covers(self, campaign: CampaignRow) -> bool:
        if campaign.client_id != self.client_id:
            return False
        if self.sources and campaign.source not in self.sources:
            return False
        if self.is_whole_client:
            return True
        if campaign.id in self.campaign_ids:
            return True
        return bool(self.name_pattern) and self.name_pattern.casefold() in campaign.name.casefold()

    def covered(self, campaigns: Iterable[CampaignRow]) -> set[int]:
        return {campaign.id for campaign in campaigns if self.covers(campaign)}

    def may_overlap(self, other: Coverage, campaigns: Iterable[CampaignRow]) -> bool:
        """Whether the orders cover a campaign in common now, or would share campaigns that
        ingestion creates later (both open to every name, or name patterns that nest)."""
        if self.client_id != other.client_id or not self.sources_meet(other):
            return False
        if self._open_to(other) or other._open_to(self):
            return True
        rows = list(campaigns)
        return bool(self.covered(rows) & other.covered(rows))

    def _open_to(self, other: Coverage) -> bool:
        """Whether every future campaign ``other`` would pick up by name falls under this too."""
        if self.is_whole_client:
            return other.is_whole_client or bool(other.name_pattern)
        if self.name_pattern and other.name_pattern:
            return self.name_pattern.casefold() in other.name_pattern.casefold()
        return False
