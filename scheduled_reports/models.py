"""Reports sent by email on a schedule (SPEC 10): who gets which sections of which client's
week or month, and the record of every period sent, with its figures and PDF as they went out."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone

from core.db import TimestampedModel
from core.validators import validate_no_control_characters
from reports.models import PeriodType


class Section(models.TextChoices):
    """The parts of the report a schedule may choose; the PDF renders only those chosen."""

    KPIS = "kpis", "KPIs with comparison"
    PACING = "pacing", "Pacing"
    CAMPAIGNS = "campaigns", "Campaigns"
    CREATIVES = "creatives", "Top creatives"
    RESTATEMENTS = "restatements", "Restatements"


ALL_SECTIONS = [section.value for section in Section]


class ReportSchedule(TimestampedModel):
    """One client's report, sent weekly or monthly to some of its users and (added by an agency
    admin only) outside addresses.

    Written by ``scheduled_reports.services.schedule_save`` only, which refuses a schedule
    without recipients, a recipient of another client and an outside address a client user
    added. ``waiting_for`` is what the sending job last found missing, for the admin and the page.
    """

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="report_schedules"
    )
    name = models.CharField(max_length=120, validators=[validate_no_control_characters])
    frequency = models.CharField(max_length=8, choices=PeriodType.choices)
    sections = ArrayField(models.CharField(max_length=16, choices=Section.choices))
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="report_schedules", blank=True
    )
    outside_emails = ArrayField(
        models.EmailField(),
        default=list,
        blank=True,
        help_text="Addresses outside the client's users; only agency admins add them.",
    )
    is_active = models.BooleanField(default=True, help_text="Paused schedules send nothing.")
    starts_on = models.DateField(
        default=timezone.localdate,
        help_text="Periods that ended before this day are not sent.",
    )
    waiting_for = models.CharField(
        max_length=500, blank=True, help_text="Why the latest period has not been sent yet."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["client", "name"]
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="report_schedule_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def section_labels(self) -> list[str]:
        return [Section(section).label for section in self.sections]


def delivery_pdf_name(instance: ReportDelivery, filename: str) -> str:
    """A generated storage name: nothing a user typed is used as a path."""
    return f"scheduled-reports/{uuid.uuid4().hex}.pdf"


class ReportDelivery(models.Model):
    """One period of one schedule, sent: inserted before the message goes out, in the same
    transaction, so the period is never sent twice and a message that could not be sent leaves
    no row (the next run tries again)."""

    schedule = models.ForeignKey(
        ReportSchedule, on_delete=models.PROTECT, related_name="deliveries"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    recipients = ArrayField(models.EmailField(), help_text="The addresses it went to.")
    subject = models.CharField(max_length=300)
    figures = models.JSONField(help_text="The figures as sent.")
    pdf = models.FileField(upload_to=delivery_pdf_name, max_length=500)
    pdf_name = models.CharField(max_length=255, help_text="The attachment's file name.")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_start", "schedule"]
        verbose_name_plural = "report deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "period_start"], name="report_delivery_once_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.schedule} {self.period_start} to {self.period_end}"
