"""The campaign -> strategy -> placement -> creative hierarchy of each client and source.

Rows are created by the ingestion pipeline (set-based, ``INSERT ... ON CONFLICT``) from the names in
the delivered files, so every level is unique on its natural key. Each parent foreign key is the
leading column of that unique index, which serves lookups by parent: no second index is kept.
"""

from __future__ import annotations

from django.db import models

from core.db import TimestampedModel


class Source(models.TextChoices):
    SURFSIDE = "surfside", "Surfside"
    VIBE = "vibe", "Vibe"
    FACEBOOK = "facebook", "Facebook"


NAME_MAX_LENGTH = 255


class Campaign(TimestampedModel):
    """A campaign as named by one source for one client."""

    # Indexed by the natural key (client, source, name); no separate index.
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="campaigns", db_index=False
    )
    source = models.CharField(max_length=16, choices=Source.choices)
    name = models.CharField(max_length=NAME_MAX_LENGTH)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "source", "name"], name="campaign_natural_key"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Strategy(TimestampedModel):
    """A strategy (Facebook: ad set) within a campaign."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="strategies", db_index=False
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "strategies"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="strategy_natural_key"),
        ]

    def __str__(self) -> str:
        return self.name


class Placement(TimestampedModel):
    """A placement (Vibe: channel; Facebook: ad) within a strategy."""

    strategy = models.ForeignKey(
        Strategy, on_delete=models.CASCADE, related_name="placements", db_index=False
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["strategy", "name"], name="placement_natural_key"),
        ]

    def __str__(self) -> str:
        return self.name


class Creative(TimestampedModel):
    """A creative within a placement. The size is part of its identity: one name in two sizes is
    two creatives (empty when the source has no size)."""

    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, related_name="creatives", db_index=False
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    size = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["name", "size"]
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "name", "size"], name="creative_natural_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.size})" if self.size else self.name
