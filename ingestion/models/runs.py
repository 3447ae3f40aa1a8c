"""What every ingestion run did and the rows it staged."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now

from campaigns.models import Source
from core.db import TimestampedModel


class RunStatus(models.TextChoices):
    PROCESSING = "processing", "Processing"
    SUCCESS = "success", "Success"
    PARTIAL = "partial", "Partial"
    FAILED = "failed", "Failed"
    MISSING_FILE = "missing_file", "Missing file"


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    MANUAL = "manual", "Manual"
    UPLOAD = "upload", "Upload"
    BACKFILL = "backfill", "Backfill"
    RERUN = "rerun", "Re-run"


class ResolutionStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class IngestionRun(TimestampedModel):
    """One run of the pipeline for one client and source: the status row an admin reads to know
    what happened without opening server logs."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="ingestion_runs"
    )
    source = models.CharField(max_length=16, choices=Source.choices)
    status = models.CharField(
        max_length=16, choices=RunStatus.choices, default=RunStatus.PROCESSING, db_index=True
    )
    trigger = models.CharField(max_length=16, choices=RunTrigger.choices, default=RunTrigger.MANUAL)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_date = models.DateField(
        null=True, blank=True, help_text="The delivery date a scheduled or manual run asked for."
    )
    date_from = models.DateField(null=True, blank=True, help_text="First day present in the data.")
    date_to = models.DateField(null=True, blank=True, help_text="Last day present in the data.")
    file_name = models.CharField(
        max_length=500, blank=True, help_text="Shown to people only; never used as a path."
    )
    file_key = models.CharField(
        max_length=1024, blank=True, help_text="S3 key or storage name the data was read from."
    )
    columns = models.JSONField(
        default=list, blank=True, help_text="The file's column headers, in the file's order."
    )
    rows_read = models.PositiveIntegerField(default=0)
    rows_loaded = models.PositiveIntegerField(default=0)
    rows_failed = models.PositiveIntegerField(default=0)
    rows_replaced = models.PositiveIntegerField(
        default=0, help_text="Existing metric rows this run updated."
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    timings = models.JSONField(default=dict, blank=True, help_text="Seconds spent in each stage.")
    message = models.TextField(blank=True)
    warnings = models.JSONField(default=list, blank=True)
    resolution_status = models.CharField(
        max_length=16, choices=ResolutionStatus.choices, default=ResolutionStatus.OPEN
    )
    resolution_notes = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    rerun_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reruns"
    )
    refused = models.BooleanField(
        default=False,
        help_text="An uploaded file, or some of its rows, refused for its own format or content: "
        "the uploader's to mend (they see why), not an incident. It alerts no one, leaves the "
        "health page green and cannot be re-run (the same file would be refused again).",
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["client", "source", "-started_at"], name="run_client_source_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} run #{self.pk} for {self.client} ({self.status})"


class StagingRow(models.Model):
    """One refused source row of a run as it arrived (``raw``, under the file's own headers),
    with its source row number and errors.

    Only refused rows are staged (``is_valid`` is false on every row written since the lean
    ingest): valid rows need no second copy, the stored file is their raw record and a re-run
    reads it again. Written with one COPY per run into an UNLOGGED table (staging is transient);
    purged after seven days by the retention task.
    """

    # No database foreign key: 50,000 checks of the same run per file cost more than the insert.
    run = models.ForeignKey(
        IngestionRun,
        on_delete=models.CASCADE,
        related_name="staging_rows",
        db_index=False,
        db_constraint=False,
    )
    row_number = models.PositiveIntegerField(help_text="Row number as a spreadsheet shows it.")
    raw = models.JSONField()
    errors = models.JSONField(null=True, blank=True)
    is_valid = models.BooleanField()
    # A database default: rows arrive in bulk from SQL, not through the ORM.
    created_at = models.DateTimeField(db_default=Now(), editable=False)

    class Meta:
        ordering = ["run", "row_number"]
        indexes = [
            # People look up a run's refused rows; the valid ones need no index.
            models.Index(
                fields=["run", "row_number"],
                name="staging_refused_rows",
                condition=models.Q(is_valid=False),
            ),
            models.Index(fields=["created_at"], name="staging_created"),
        ]

    def __str__(self) -> str:
        return f"run {self.run_id} row {self.row_number}"
