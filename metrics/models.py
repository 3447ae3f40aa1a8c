"""Daily delivery metrics, priced at the client's CPM: the store every dashboard reads from."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now

from campaigns.models import Source
from core.db import TimestampedModel

# numeric(18,6): full precision in storage, rounding happens only for display.
MEASURE_DIGITS = 18
MEASURE_PLACES = 6


def measure_field(**kwargs: object) -> models.DecimalField:
    return models.DecimalField(
        max_digits=MEASURE_DIGITS,
        decimal_places=MEASURE_PLACES,
        **kwargs,  # type: ignore[arg-type]
    )


class DailyMetric(TimestampedModel):
    """One day of delivery for one creative of one client and source.

    Unique on the natural key (client, date, source, campaign, strategy, placement, creative); the
    loader upserts on it. ``spend`` is what the client is billed (impressions / 1000 x CPM);
    ``source_spend`` is what the platform reported as cost, kept for the agency's margin view.

    Indexes are few on purpose (every index costs on each of the 50,000 rows of a daily file): the
    natural-key index serves (client, date) and (client, date, source) lookups, one more serves
    (client, source, date). The hierarchy and run references are integrity-checked by the loader,
    which resolves them in the same transaction, and cascade through the ORM; database foreign key
    checks on them cost more than the load itself. ``client`` has none either: its deferred check
    ran at every load's commit (0.20 s of 50,000 rows), while the loader writes only the client
    it holds the lock of.
    """

    client = models.ForeignKey(
        "clients.Client",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    date = models.DateField()
    source = models.CharField(max_length=16, choices=Source.choices)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    strategy = models.ForeignKey(
        "campaigns.Strategy",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    placement = models.ForeignKey(
        "campaigns.Placement",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    creative = models.ForeignKey(
        "campaigns.Creative",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    impressions = models.BigIntegerField(default=0)
    clicks = models.BigIntegerField(default=0)
    conversions = models.BigIntegerField(default=0)
    conversion_revenue = measure_field(default=0)
    source_spend = measure_field(null=True, blank=True)
    spend = measure_field(default=0)
    ctr = measure_field(default=0)
    cpc = measure_field(default=0)
    cpa = measure_field(default=0)
    roas = measure_field(default=0)
    ingestion_run = models.ForeignKey(
        "ingestion.IngestionRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
        help_text="The run that last wrote this row.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "client",
                    "date",
                    "source",
                    "campaign",
                    "strategy",
                    "placement",
                    "creative",
                ],
                name="daily_metric_natural_key",
            ),
            models.CheckConstraint(
                name="daily_metric_counts_not_negative",
                condition=models.Q(impressions__gte=0, clicks__gte=0, conversions__gte=0),
            ),
        ]
        indexes = [
            models.Index(fields=["client", "source", "date"], name="daily_metric_client_src_date"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.date} {self.source} creative {self.creative_id}"


class CampaignDayRollup(models.Model):
    """Daily metrics summed per campaign: what dashboards and campaign lists read.

    Derived data, maintained by the loader and by re-pricing (``metrics.rollups``) in the same
    transaction as the rows it sums, so it always agrees with ``DailyMetric``.
    """

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    source = models.CharField(max_length=16, choices=Source.choices)
    campaign = models.ForeignKey("campaigns.Campaign", on_delete=models.CASCADE, related_name="+")
    impressions = models.BigIntegerField(default=0)
    clicks = models.BigIntegerField(default=0)
    conversions = models.BigIntegerField(default=0)
    conversion_revenue = measure_field(default=0)
    spend = measure_field(default=0)
    source_spend = measure_field(null=True, blank=True)
    metric_rows = models.PositiveIntegerField(default=0)
    # Rows are rebuilt, never edited: when this one was last computed.
    refreshed_at = models.DateTimeField(db_default=Now(), editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "date", "source", "campaign"], name="campaign_day_rollup_key"
            ),
        ]
        indexes = [
            models.Index(fields=["client", "date"], name="rollup_client_date"),
            models.Index(fields=["campaign", "date"], name="rollup_campaign_date"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.date} {self.source} campaign {self.campaign_id}"


class RollupChange(models.Model):
    """Days of a client whose rollups changed: what depends on them has to catch up.

    ``metrics`` writes a row in the transaction that changed the rollups and knows nothing of
    who reads them; the apps that keep figures derived from the rollups (the stored summaries of
    ``reports``) work through these rows and delete them (settings ``ROLLUP_CHANGE_TASKS``).
    """

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    date_from = models.DateField()
    # None: open-ended (a CPM rate with no later rate governs every later day).
    date_to = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField(db_default=Now(), editable=False)

    def __str__(self) -> str:
        return f"{self.client_id} {self.date_from}..{self.date_to or ''}"
