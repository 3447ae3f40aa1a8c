"""The agency's clients and the CPM each one is billed at over time."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from core.db import TimestampedModel
from core.validators import validate_business_date, validate_no_control_characters

# CPM rates are prices per thousand impressions: up to 99,999,999.9999 with four decimals.
CPM_MAX_DIGITS = 12
CPM_DECIMAL_PLACES = 4


class ClientStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DISABLED = "disabled", "Disabled"


class Client(TimestampedModel):
    """A customer of the agency. Its users see only its data; disabling it locks them out."""

    name = models.CharField(max_length=255, validators=[validate_no_control_characters])
    slug = models.SlugField(
        max_length=64,
        unique=True,
        error_messages={"unique": "A client with this slug already exists."},
        help_text="Short name used in commands and URLs, e.g. acme-foods.",
    )
    status = models.CharField(
        max_length=16, choices=ClientStatus.choices, default=ClientStatus.ACTIVE
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == ClientStatus.ACTIVE


class CpmRate(TimestampedModel):
    """The CPM a client is billed at from ``effective_date`` until the next rate takes over.

    Spend for a day is priced at the rate with the latest ``effective_date`` on or before that day.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="cpm_rates")
    cpm = models.DecimalField(
        max_digits=CPM_MAX_DIGITS,
        decimal_places=CPM_DECIMAL_PLACES,
        validators=[
            MinValueValidator(Decimal("0.0001"), message="A CPM must be greater than zero.")
        ],
        help_text="Price per thousand impressions.",
    )
    effective_date = models.DateField(validators=[validate_business_date])
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True, validators=[validate_no_control_characters])

    class Meta:
        ordering = ["client", "-effective_date"]
        verbose_name = "CPM rate"
        constraints = [
            models.UniqueConstraint(
                fields=["client", "effective_date"],
                name="cpm_rate_one_per_client_and_date",
                violation_error_message="This client already has a CPM rate from that date.",
            ),
            models.CheckConstraint(
                name="cpm_rate_positive",
                condition=models.Q(cpm__gt=0),
                violation_error_message="A CPM must be greater than zero.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} CPM {self.cpm} from {self.effective_date}"
