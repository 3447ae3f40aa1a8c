"""Manual annotations: what an admin wants read beside a client's charts (a date or a range).

The automatic ones (CPM changes, missing files, flights, restatements) are not stored: they are
read from their sources when a chart is drawn (``annotations.providers``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from core.db import TimestampedModel
from core.validators import validate_business_date, validate_no_control_characters

TEXT_MAX_LENGTH = 300


class Visibility(models.TextChoices):
    CLIENT = "client", "Client-visible"
    INTERNAL = "internal", "Internal (admins only)"


class Annotation(TimestampedModel):
    """A note on a client's charts from ``start_date`` to ``end_date`` (empty: that one day).

    ``campaign`` (optional, one of the client's own) narrows it to that campaign's pages; the
    client's dashboard shows it too. Internal ones are shown to admins only. Written only through
    ``annotations.services``, which audits every change.
    """

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="annotations"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="annotations",
        help_text="Only this campaign's pages (and the client's dashboard). Empty: every chart "
        "of the client.",
    )
    start_date = models.DateField(validators=[validate_business_date])
    end_date = models.DateField(
        null=True,
        blank=True,
        validators=[validate_business_date],
        help_text="Last day of a range, included. Empty: the start date only.",
    )
    text = models.CharField(max_length=TEXT_MAX_LENGTH, validators=[validate_no_control_characters])
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.CLIENT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["client", "start_date", "id"]
        indexes = [models.Index(fields=["client", "start_date"], name="annotation_client_start")]
        constraints = [
            models.CheckConstraint(
                name="annotation_ends_on_or_after_start",
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                violation_error_message="An annotation cannot end before it starts.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client}: {self.text[:60]} ({self.start_date})"

    @property
    def last_day(self) -> dt.date:
        return self.end_date or self.start_date
