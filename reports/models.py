"""Stored summaries, what was emailed, what was archived, and the ledger of scheduled runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from core.db import TimestampedModel
from metrics.models import measure_field

if TYPE_CHECKING:
    from reports.figures import ReportFigures


class PeriodType(models.TextChoices):
    WEEK = "week", "Weekly"
    MONTH = "month", "Monthly"


class Summary(TimestampedModel):
    """A client's figures for one Monday-Sunday week or one calendar month, kept forever.

    Written only by ``reports.services.summary_generate``, which recomputes everything from the
    metrics; it runs again when late data or a CPM change touches the period or the period
    before it (whose figures the deltas compare with). The totals and their derived rates are
    columns (the admin lists and filters them); the rest is the JSON that ``figures()`` turns back
    into the ``ReportFigures`` the PDF and the pages render.
    """

    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="summaries")
    period_type = models.CharField(max_length=8, choices=PeriodType.choices)
    start = models.DateField(help_text="First day of the period (a Monday, or the 1st).")
    end = models.DateField(help_text="Last day of the period, included.")
    previous_start = models.DateField(help_text="First day of the period the deltas compare with.")
    previous_end = models.DateField()
    impressions = models.BigIntegerField(default=0)
    clicks = models.BigIntegerField(default=0)
    conversions = models.BigIntegerField(default=0)
    conversion_revenue = measure_field(default=0)
    spend = measure_field(default=0)
    # Null ("n/a") when no source of the period reports clicks (SPEC 9).
    ctr = measure_field(null=True, blank=True)
    cpc = measure_field(null=True, blank=True)
    # The clicks, impressions and spend of the sources that report clicks: CTR and CPC are made of
    # these (``metrics.clicks``). Null on summaries stored before they were kept: rates blended
    # until the summary is regenerated.
    click_clicks = models.BigIntegerField(null=True, blank=True)
    click_impressions = models.BigIntegerField(null=True, blank=True)
    click_spend = measure_field(null=True, blank=True)
    cpa = measure_field(default=0)
    roas = measure_field(default=0)
    previous = models.JSONField(default=dict, help_text="The previous period's totals.")
    changes = models.JSONField(
        default=dict, help_text="Per measure: absolute and percent change (points for rates)."
    )
    comparison = models.JSONField(
        default=dict,
        blank=True,
        help_text="What the changes compare, like for like: the paired days' totals of the "
        "comparable sources on both sides, the reasons of the sources left out, and the compared "
        "period's days (empty for summaries stored before).",
    )
    daily = models.JSONField(default=list, help_text="Totals of every day of the period.")
    top_campaigns_by_conversions = models.JSONField(default=list)
    top_campaigns_by_revenue = models.JSONField(default=list)
    top_creatives = models.JSONField(default=list)
    underperformers = models.JSONField(default=list)
    underperformer_count = models.PositiveIntegerField(default=0)
    completeness = models.JSONField(
        default=list, help_text="Per source: whether every day of the period has data."
    )
    is_complete = models.BooleanField(
        default=False, help_text="Every source that delivered or ran in the period has every day."
    )
    generated_at = models.DateTimeField()
    # Set once, when the summary first went out (``summary_record_sent``): the period is closed
    # from then on, and ``sent_figures`` keeps what was sent beside the current figures.
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_figures = models.JSONField(
        null=True, blank=True, encoder=DjangoJSONEncoder, help_text="The figures as sent."
    )

    class Meta:
        verbose_name_plural = "summaries"
        ordering = ["-start", "period_type", "client"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "period_type", "start"], name="summary_one_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_period_type_display()} summary {self.start} to {self.end}"

    def figures(self) -> ReportFigures:
        from reports.figures import figures_from_summary

        return figures_from_summary(self)


class SummaryEmail(models.Model):
    """One weekly summary email to one user: written before the message goes out, so a second
    run of the same week finds it and sends nothing."""

    summary = models.ForeignKey(Summary, on_delete=models.CASCADE, related_name="emails")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="summary_emails"
    )
    email = models.EmailField(help_text="The address it was sent to.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["summary", "user"], name="summary_email_once"),
        ]

    def __str__(self) -> str:
        return f"{self.summary} to {self.email}"


class MetricArchive(models.Model):
    """A file of daily metrics moved out of the database by retention: one client, one month."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="metric_archives"
    )
    month = models.DateField(help_text="First day of the archived month.")
    file_name = models.CharField(max_length=500, help_text="Name in the default storage.")
    rows = models.PositiveIntegerField()
    impressions = models.BigIntegerField()
    spend = measure_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "client"]

    def __str__(self) -> str:
        return f"{self.client} {self.month:%Y-%m} ({self.rows} rows)"


class ScheduledRunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ScheduledRun(models.Model):
    """The ledger of scheduled jobs: one row per job and intended run time.

    The unique constraint is what makes a job run once per intended time however many cluster
    processes, on however many machines, try to run it: each inserts the row first and only the
    one whose insert succeeded runs the job.
    """

    job = models.CharField(max_length=64)
    intended_at = models.DateTimeField(help_text="When the schedule meant this run to happen.")
    day = models.DateField(null=True, blank=True, help_text="The day passed to the job, if any.")
    status = models.CharField(
        max_length=16, choices=ScheduledRunStatus.choices, default=ScheduledRunStatus.RUNNING
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-intended_at", "job"]
        constraints = [
            models.UniqueConstraint(fields=["job", "intended_at"], name="scheduled_run_once"),
        ]

    def __str__(self) -> str:
        return f"{self.job} for {self.intended_at:%Y-%m-%d %H:%M}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


def export_storage_name(instance: ExportJob, filename: str) -> str:
    """A generated storage name: nothing a user sent is used as a path."""
    import uuid

    return f"exports/{uuid.uuid4().hex}.{instance.export_format}"


class ExportJob(TimestampedModel):
    """An export too large to build within the request (SPEC 8): a worker builds the file into
    default storage; whoever asked downloads it for a day, while they may still see every client
    in it."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    export_format = models.CharField(max_length=8)
    client_ids = models.JSONField(help_text="The clients in the export, as scoped when asked.")
    start_date = models.DateField()
    end_date = models.DateField()
    source = models.CharField(max_length=16, blank=True)
    file_name = models.CharField(max_length=255, help_text="The name the download is given.")
    grain = models.CharField(
        max_length=16, default="creative_day", help_text="What one row is (CSV and XLSX)."
    )
    chart = models.CharField(max_length=64, blank=True, help_text="PDF: the chart's measures.")
    comparison = models.CharField(
        max_length=16,
        default="previous",
        help_text="PDF and XLSX: what changes compare with (previous, last_year, none).",
    )
    status = models.CharField(
        max_length=16, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    file = models.FileField(upload_to=export_storage_name, max_length=500, blank=True)
    rows = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.export_format} export #{self.pk} ({self.status})"
