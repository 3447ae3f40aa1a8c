"""Insertion orders: what the agency sold a client (a flight, an amount, a delivery shape)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from campaigns.models import Source
from dashboard_project.db import TimestampedModel

BUDGET_MAX_DIGITS = 14
BUDGET_DECIMAL_PLACES = 2


class DeliveryShape(models.TextChoices):
    EVEN = "even", "Even"
    WEEKDAYS_HEAVIER = "weekdays_heavier", "Weekdays heavier"


class InsertionOrder(TimestampedModel):
    """A flight sold to a client: contracted impressions and/or budget over ``start_date`` to
    ``end_date`` (both inclusive), paced by ``pacing.selectors``.

    The campaigns it covers: the ``campaigns`` chosen, plus those whose name contains
    ``campaign_name_pattern`` (case-insensitive; campaigns created later by ingestion fall under
    it); neither = all the client's campaigns. ``sources`` (empty = every source) narrows them.
    Written only through ``pacing.services``, which refuses overlapping orders.
    """

    client = models.ForeignKey(
        "clients.Client", on_delete=models.CASCADE, related_name="insertion_orders"
    )
    name = models.CharField(max_length=255)
    sources = ArrayField(
        models.CharField(max_length=16, choices=Source.choices),
        blank=True,
        default=list,
        help_text="Sources the order covers; empty means every source.",
    )
    campaigns = models.ManyToManyField(
        "campaigns.Campaign", blank=True, related_name="insertion_orders"
    )
    campaign_name_pattern = models.CharField(
        max_length=255,
        blank=True,
        help_text="Campaigns whose name contains this text (any case) are covered too.",
    )
    start_date = models.DateField()
    end_date = models.DateField()
    contracted_impressions = models.BigIntegerField(null=True, blank=True)
    contracted_budget = models.DecimalField(
        max_digits=BUDGET_MAX_DIGITS,
        decimal_places=BUDGET_DECIMAL_PLACES,
        null=True,
        blank=True,
        help_text="Billed spend (at the client's CPM history) the order is sold for.",
    )
    delivery_shape = models.CharField(
        max_length=32, choices=DeliveryShape.choices, default=DeliveryShape.EVEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["client", "-start_date", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "name"],
                name="insertion_order_name_per_client",
                violation_error_message="This client already has an order with that name.",
            ),
            models.CheckConstraint(
                name="insertion_order_ends_after_start",
                condition=models.Q(end_date__gte=models.F("start_date")),
            ),
            models.CheckConstraint(
                name="insertion_order_has_an_amount",
                condition=models.Q(contracted_impressions__gt=0)
                | models.Q(contracted_budget__gt=0),
            ),
        ]
        indexes = [models.Index(fields=["client", "start_date"], name="io_client_start")]

    def __str__(self) -> str:
        return f"{self.name} ({self.start_date} to {self.end_date})"

    @property
    def flight_days(self) -> int:
        return (self.end_date - self.start_date).days + 1
