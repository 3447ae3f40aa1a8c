"""Historical backfills: long work with a status row whose progress can be polled."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from campaigns.models import Source
from core.db import TimestampedModel


class BackfillStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class BackfillJob(TimestampedModel):
    """A range of days to (re)load for some clients from one source, day by day."""

    source = models.CharField(max_length=16, choices=Source.choices)
    clients = models.ManyToManyField("clients.Client", related_name="+")
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(
        max_length=16, choices=BackfillStatus.choices, default=BackfillStatus.QUEUED
    )
    steps_total = models.PositiveIntegerField(default=0)
    steps_done = models.PositiveIntegerField(default=0)
    # One entry per finished step: {"client", "date", "run_id", "status", "rows_loaded"}.
    results = models.JSONField(default=list, blank=True)
    message = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_source_display()} backfill {self.start_date} to {self.end_date}"

    @property
    def progress_percent(self) -> int:
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else 0
