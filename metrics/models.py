"""Daily delivery metrics, priced at the client's CPM: the store every dashboard reads from."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
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
    loader upserts on it. Spend is not stored here (SPEC 4): what the client is billed is a pure
    function of impressions and the CPM in effect on the date, computed in SQL where a detail
    figure is needed (``metrics.pricing``) and held per day by the rollups, so a CPM change
    re-prices days, not rows. ``source_spend`` is what the platform reported as cost, kept for
    the agency's margin view.

    Indexes are few on purpose (every index costs on each of the 50,000 rows of a daily file): the
    natural-key index serves (client, date) and (client, date, source) lookups, one more serves
    (client, source, date). The hierarchy and run references are integrity-checked by the loader,
    which resolves them in the same transaction, and cascade through the ORM; database foreign key
    checks on them cost more than the load itself, so the table has none.

    Partitioned by month on ``date`` (``metrics.partitions``, migration 0006): the database's
    primary key is ``(id, date)``, which Django never needs to know (ids come from one sequence and
    stay unique); retention archives a month and drops its partition.
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
    ingestion_run = models.ForeignKey(
        "ingestion.IngestionRun",
        # Purging a run leaves its rows alone (no scan of the table for them): the id may name
        # a run that is gone, and every reader reads it as an id, never through the relation.
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
        help_text="The run that last wrote this row (it may have been purged since).",
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


class _DayRollupMeasures(models.Model):
    """The summed measures every daily rollup holds (spend priced at the day's CPM)."""

    # The unique key starts with the client: no index of its own.
    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="+", db_index=False
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
    impressions = models.BigIntegerField(default=0)
    clicks = models.BigIntegerField(default=0)
    conversions = models.BigIntegerField(default=0)
    conversion_revenue = measure_field(default=0)
    spend = measure_field(default=0)
    source_spend = measure_field(null=True, blank=True)
    metric_rows = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(db_default=Now(), editable=False)

    class Meta:
        abstract = True


class StrategyDayRollup(_DayRollupMeasures):
    """Daily metrics summed per strategy: what strategy lists and details read.

    Derived data, kept by ``metrics.rollups`` with the campaign rollup, in the same transaction.
    Hierarchy references are not database-checked (the rollup is rebuilt from checked rows).
    """

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "date", "source", "campaign", "strategy"],
                name="strategy_day_rollup_key",
            ),
        ]
        indexes = [
            models.Index(fields=["strategy", "date"], name="rollup_strategy_date"),
            models.Index(fields=["campaign", "date"], name="srollup_campaign_date"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.date} {self.source} strategy {self.strategy_id}"


class PlacementDayRollup(_DayRollupMeasures):
    """Daily metrics summed per placement: what placement lists and details read."""

    placement = models.ForeignKey(
        "campaigns.Placement",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "date", "source", "campaign", "strategy", "placement"],
                name="placement_day_rollup_key",
            ),
        ]
        indexes = [
            models.Index(fields=["placement", "date"], name="rollup_placement_date"),
            models.Index(fields=["strategy", "date"], name="prollup_strategy_date"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.date} {self.source} placement {self.placement_id}"


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


class RepricingStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


PENDING_REPRICING = (RepricingStatus.QUEUED, RepricingStatus.RUNNING)


class Repricing(models.Model):
    """A CPM change's re-pricing of the client's rollups over the days the change governs.

    The rate is saved in the request; the re-pricing is queued work (``metrics.tasks``) with a
    lease, and while it is pending the dashboard says the client's figures are being re-priced.
    ``reason`` says what changed, for people ("CPM from $12.50 to $14.00 from Nov 1").
    """

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    date_from = models.DateField()
    # None: open-ended (the rate governs every later day).
    date_to = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=255, blank=True)
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=RepricingStatus.choices, default=RepricingStatus.QUEUED
    )
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(db_default=Now(), editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["client", "status"], name="repricing_client_status")]

    def __str__(self) -> str:
        return f"{self.client_id} {self.date_from}..{self.date_to or ''} {self.status}"


class ArchivedMonth(models.Model):
    """A month of daily metrics that retention archived and dropped, for every client at once
    (the window is global): detail before the latest one is no longer in the database, and the
    outputs that read detail say so (``metrics.periods.requested_range``)."""

    month = models.DateField(unique=True, help_text="First day of the archived month.")
    archived_at = models.DateTimeField(db_default=Now(), editable=False)

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class PeriodKind(models.TextChoices):
    """The periods a client's figures are closed and restated by (the summaries' periods)."""

    WEEK = "week", "Week"
    MONTH = "month", "Month"


class PeriodClosure(models.Model):
    """A week or month closed before its 7 days of settling were up: a summary of it was sent.

    Written by ``reports`` when it sends a summary (``summary_record_sent``); read here, where
    restatements are detected (``metrics.restatements``), since this layer cannot import reports.
    """

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    period_type = models.CharField(max_length=8, choices=PeriodKind.choices)
    start = models.DateField(help_text="First day of the period (a Monday, or the 1st).")
    closed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "period_type", "start"], name="period_closure_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.period_type} {self.start} closed {self.closed_at:%Y-%m-%d}"


class Restatement(models.Model):
    """A client-visible measure of a closed week or month changed after it was closed (SPEC 9).

    One row per client, source, period and measure that changed, with its totals before and after,
    why (text the client reads) and by whom. Written only by ``metrics.restatements`` from
    ``rollups_refresh``, which every writer of the figures goes through. Measures are the ones a
    client sees: never the platforms' cost.
    """

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    source = models.CharField(max_length=16, choices=Source.choices)
    period_type = models.CharField(max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    measure = models.CharField(max_length=32)
    before = measure_field()
    after = measure_field()
    reason = models.CharField(max_length=500)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(db_default=Now())

    class Meta:
        ordering = ["-at", "period_start", "source", "measure"]
        indexes = [
            models.Index(fields=["client", "period_start"], name="restatement_client_period"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.client_id} {self.source} {self.period_type} {self.period_start} "
            f"{self.measure}: {self.before} -> {self.after}"
        )

    @property
    def difference(self) -> Decimal:
        return self.after - self.before
