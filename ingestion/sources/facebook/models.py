"""Facebook/Meta exports people upload."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from core.db import TimestampedModel
from ingestion.models.runs import IngestionRun


class UploadStatus(models.TextChoices):
    PROCESSING = "processing", "Processing"
    LOADED = "loaded", "Loaded"
    PARTIAL = "partial", "Partially loaded"
    FAILED = "failed", "Failed"
    UNDONE = "undone", "Undone"


def upload_storage_name(instance: FacebookUpload, filename: str) -> str:
    """A generated storage name: the uploaded file name is never used as a path."""
    extension = ".xlsx" if filename.lower().endswith(".xlsx") else ".csv"
    return f"uploads/facebook/{instance.client_id}/{uuid.uuid4().hex}{extension}"


class FacebookUpload(TimestampedModel):
    """A Facebook/Meta export someone uploaded, kept in storage and loaded through the pipeline."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="facebook_uploads"
    )
    file = models.FileField(upload_to=upload_storage_name, max_length=500)
    original_name = models.CharField(max_length=255, help_text="Shown to people only.")
    size_bytes = models.PositiveBigIntegerField()
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the file's bytes.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=UploadStatus.choices, default=UploadStatus.PROCESSING
    )
    run = models.OneToOneField(
        IngestionRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="upload"
    )
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # The same bytes cannot be loaded twice; a failed or undone upload may be retried.
            models.UniqueConstraint(
                fields=["client", "checksum"],
                condition=models.Q(status__in=["processing", "loaded", "partial"]),
                name="facebook_upload_once_per_client",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.client})"


class FacebookAdAccount(TimestampedModel):
    """An ad account whose Meta exports belong to the client (SPEC 9 "The right account").

    An upload whose export names another account is refused, naming both, before anything is
    loaded; an admin adds the account here and the file is uploaded again. With none listed, the
    first upload's account is recorded as expected. Names match ignoring case and surrounding
    spaces; ids, when the export carries them, match exactly.
    """

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="facebook_ad_accounts"
    )
    name = models.CharField(max_length=255, help_text="As Ads Manager writes it (Account name).")
    account_id = models.CharField(
        max_length=64, blank=True, help_text="The Account ID, when exports carry it."
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["client", "name"]
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="facebook_ad_account_once"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.client})"
