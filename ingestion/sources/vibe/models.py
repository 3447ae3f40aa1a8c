"""Vibe: each client's API connection, each API key's shared budget, and the report requests
that move through the asynchronous reporting flow (SPEC 3.2)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from core.db import TimestampedModel
from ingestion.models.runs import IngestionRun, RunTrigger
from ingestion.sources.vibe.keys import (
    api_key_fingerprint,
    decrypt_api_key,
    encrypt_api_key,
    mask_api_key,
)


class VibeConnection(TimestampedModel):
    """A client's Vibe advertiser and API key.

    The key is stored Fernet-encrypted (``ingestion.sources.vibe.keys``) and can only be read back
    by the code that sends requests; people see its last four characters. ``api_key_fingerprint``
    names the key's shared budget without revealing it, so clients sharing one key share one
    budget.
    """

    client = models.OneToOneField(
        "clients.Client", on_delete=models.CASCADE, related_name="vibe_connection"
    )
    advertiser_id = models.CharField(max_length=255)
    api_key_encrypted = models.TextField(editable=False)
    api_key_last4 = models.CharField(max_length=4, editable=False)
    api_key_fingerprint = models.CharField(max_length=64, editable=False, db_index=True)
    base_url = models.URLField(
        max_length=500,
        blank=True,
        help_text="Leave empty for the default Vibe API (VIBE_API_BASE_URL).",
    )
    is_enabled = models.BooleanField(default=True)

    class Meta:
        verbose_name = "Vibe connection"

    def __str__(self) -> str:
        return f"Vibe advertiser {self.advertiser_id}"

    @sensitive_variables("api_key")
    def set_api_key(self, api_key: str) -> None:
        self.api_key_encrypted = encrypt_api_key(api_key)
        self.api_key_last4 = api_key[-4:]
        self.api_key_fingerprint = api_key_fingerprint(api_key)

    def read_api_key(self) -> str:
        """The key in clear, for the HTTP client only. Never log or display it."""
        return decrypt_api_key(self.api_key_encrypted)

    @property
    def masked_api_key(self) -> str:
        return mask_api_key(self.api_key_last4)

    @property
    def effective_base_url(self) -> str:
        return str(self.base_url or settings.VIBE_API_BASE_URL).rstrip("/")


class VibeKeyBudget(TimestampedModel):
    """The hourly request allowance and circuit breaker of one Vibe API key, shared by every
    process: each reservation locks this row, so two workers can never both take the last slot.

    ``request_times`` holds the counted requests of the last hour (at most the limit), each
    stamped when it finished, the latest moment Vibe can have received it.
    """

    key_fingerprint = models.CharField(max_length=64, unique=True)
    key_last4 = models.CharField(max_length=4, blank=True)
    request_times = ArrayField(models.DateTimeField(), default=list, blank=True)
    requests_sent = models.PositiveBigIntegerField(
        default=0, help_text="Counted requests sent with this key, ever."
    )
    blocked_until = models.DateTimeField(
        null=True, blank=True, help_text="No calls before this time (Vibe's rate-limit answer)."
    )
    blocked_reason = models.CharField(max_length=255, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    circuit_open_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Circuit breaker: no calls before this time after repeated failures.",
    )
    last_failure = models.TextField(blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    vendor_limit = models.PositiveIntegerField(null=True, blank=True)
    vendor_remaining = models.IntegerField(null=True, blank=True)
    vendor_reset_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "Vibe API key budget"

    def __str__(self) -> str:
        return f"Vibe key {mask_api_key(self.key_last4) or self.key_fingerprint[:8]}"


class ReportState(models.TextChoices):
    REQUESTED = "requested", "Requested"
    POLLING = "polling", "Polling"
    READY = "ready", "Ready"
    DOWNLOADED = "downloaded", "Downloaded"
    LOADED = "loaded", "Loaded"
    FAILED = "failed", "Failed"


ACTIVE_STATES = (
    ReportState.REQUESTED,
    ReportState.POLLING,
    ReportState.READY,
    ReportState.DOWNLOADED,
)


class VibeReportRequest(TimestampedModel):
    """One Vibe report for a client and date range, persisted through every state so that a
    restart resumes it where it stood: requested -> polling -> ready -> downloaded -> loaded, or
    failed with a reason. ``next_attempt_at`` is when a worker should look at it again;
    ``claim_token`` marks the worker currently moving it (the claim lapses with
    ``next_attempt_at``, so a crashed worker's request is picked up again)."""

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="vibe_report_requests"
    )
    start_date = models.DateField()
    end_date = models.DateField()
    state = models.CharField(
        max_length=16, choices=ReportState.choices, default=ReportState.REQUESTED
    )
    trigger = models.CharField(max_length=16, choices=RunTrigger.choices, default=RunTrigger.MANUAL)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_date = models.DateField(
        null=True, blank=True, help_text="The delivery date a scheduled or manual pull asked for."
    )
    report_id = models.CharField(max_length=255, blank=True, help_text="Vibe's report id.")
    report_created_at = models.DateTimeField(null=True, blank=True)
    vendor_status = models.CharField(
        max_length=32, blank=True, help_text="Vibe's last answer about the report."
    )
    download_url = models.TextField(blank=True, help_text="Pre-signed link, valid about 24 h.")
    download_url_obtained_at = models.DateTimeField(null=True, blank=True)
    file_key = models.CharField(
        max_length=1024, blank=True, help_text="Storage name of the downloaded CSV."
    )
    attempts = models.PositiveIntegerField(default=0, help_text="Calls made for this report.")
    polls = models.PositiveIntegerField(default=0)
    retries = models.PositiveIntegerField(
        default=0, help_text="Server errors and timeouts in a row (drives the backoff)."
    )
    last_polled_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    deadline = models.DateTimeField(
        null=True, blank=True, help_text="Failed if Vibe has not finished the report by then."
    )
    note = models.CharField(
        max_length=500, blank=True, help_text="What the request is doing or waiting for."
    )
    last_error = models.TextField(blank=True)
    failure_reason = models.TextField(blank=True)
    run = models.ForeignKey(
        IngestionRun,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="vibe_report_requests",
    )
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "Vibe report"
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(state__in=ACTIVE_STATES),
                name="vibe_report_due",
            ),
            models.Index(fields=["client", "-created_at"], name="vibe_report_client_time"),
        ]
        constraints = [
            # One unfinished report per client and range: a second pull reuses the first.
            models.UniqueConstraint(
                fields=["client", "start_date", "end_date"],
                condition=models.Q(state__in=ACTIVE_STATES),
                name="vibe_report_one_active_per_range",
            ),
            models.CheckConstraint(
                condition=models.Q(start_date__lte=models.F("end_date")),
                name="vibe_report_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"Vibe report {self.start_date}..{self.end_date} for {self.client.name}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES
