"""Insertion orders: what the agency sold a client (a flight, an amount, a delivery shape)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from campaigns.models import Source
from core.db import TimestampedModel

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


class PacingWatch(models.Model):
    """The alert state of one order: its status when last checked, and whether an "under"
    alert may go out (armed), which it may once, then again only after the order was back on
    track."""

    order = models.OneToOneField(InsertionOrder, on_delete=models.CASCADE, related_name="watch")
    last_status = models.CharField(max_length=16, blank=True)
    last_as_of = models.DateField(null=True, blank=True)
    armed = models.BooleanField(default=True)
    episodes = models.PositiveIntegerField(default=0, help_text="Under-pace alerts sent.")
    checked_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.order}: {self.last_status or 'not checked'}"


class AlertKind(models.TextChoices):
    UNDER_PACE = "under_pace", "Order under pace"
    LOW_DELIVERY = "low_delivery", "Low delivery"


class PacingAlert(models.Model):
    """An alert that was sent: the record that keeps it from being sent twice.

    Under-pace alerts are one per order and episode (``episode`` counts the times the order fell
    under after being on track); low-delivery alerts one per client, source and day.
    """

    kind = models.CharField(max_length=16, choices=AlertKind.choices)
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(
        InsertionOrder, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    episode = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=16, choices=Source.choices, blank=True)
    day = models.DateField(help_text="The day the figures are about (as_of, or the low day).")
    figures = models.JSONField(default=dict)
    message = models.TextField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "episode"],
                condition=models.Q(kind="under_pace"),
                name="pacing_alert_once_per_order_episode",
            ),
            models.UniqueConstraint(
                fields=["client", "source", "day"],
                condition=models.Q(kind="low_delivery"),
                name="pacing_alert_once_per_client_source_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.day}"
