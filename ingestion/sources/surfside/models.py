"""Where each client's Surfside files are delivered."""

from __future__ import annotations

from django.db import models

from core.db import TimestampedModel
from core.validators import validate_no_control_characters, validate_s3_bucket_name


class SurfsideConnection(TimestampedModel):
    """Where a client's daily Surfside files are delivered in S3.

    ``file_pattern`` is matched against keys under ``prefix``; ``{date}`` (or ``{date:%Y%m%d}``,
    any strftime format) is replaced by the delivery date and ``*`` matches anything. When several
    keys match, the newest (LastModified) wins.
    """

    client = models.OneToOneField(
        "clients.Client", on_delete=models.CASCADE, related_name="surfside_connection"
    )
    bucket = models.CharField(max_length=255, validators=[validate_s3_bucket_name])
    prefix = models.CharField(max_length=512, blank=True, help_text="e.g. surfside/acme/")
    file_pattern = models.CharField(
        max_length=255,
        default="{date:%Y-%m-%d}.csv",
        help_text="e.g. acme_{date:%Y%m%d}*.csv or report-{date}.xlsx",
    )
    campaign_name = models.CharField(
        max_length=255,
        blank=True,
        validators=[validate_no_control_characters],
        help_text="Campaign for files without a campaign column (the client's name when empty).",
    )
    is_enabled = models.BooleanField(default=True)

    class Meta:
        verbose_name = "Surfside connection"

    def __str__(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}{self.file_pattern}"
