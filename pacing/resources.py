"""Import and export of insertion orders (django-import-export, in the admin), through the same
services as the admin's form: a refused row is reported with the service's message, and the
admin's dry run shows it before anything is kept.

Columns: client (slug), name, sources and campaigns ("; "-separated; a campaign as
``source:name``), campaign_name_pattern, start_date, end_date, contracted_impressions,
contracted_budget, delivery_shape. A row is the client's order of that name.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from import_export import fields, resources, widgets

from campaigns.models import Campaign
from metrics.resources import ClientSlugWidget, DayWidget, importing_user
from pacing import services
from pacing.models import DeliveryShape, InsertionOrder

SEPARATOR = "; "


def _split(value: Any) -> list[str]:
    return [part.strip() for part in str(value or "").split(";") if part.strip()]


class SourcesWidget(widgets.Widget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> list[str]:
        return sorted(set(_split(value)))

    def render(self, value: Any, obj: Any = None, **kwargs: Any) -> str:
        return SEPARATOR.join(value or [])


class CountWidget(widgets.IntegerWidget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> int | None:
        try:
            return super().clean(value, row, **kwargs)
        except (ValueError, InvalidOperation):
            raise ValueError(f"'{value}' is not a whole number.") from None


class MoneyWidget(widgets.DecimalWidget):
    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Decimal | None:
        try:
            return super().clean(value, row, **kwargs)
        except (ValueError, InvalidOperation):
            raise ValueError(f"'{value}' is not an amount; write it like 4500.00.") from None


def _campaign_label(campaign: Campaign) -> str:
    return f"{campaign.source}:{campaign.name}"


class InsertionOrderResource(resources.ModelResource):
    client = fields.Field(attribute="client", column_name="client", widget=ClientSlugWidget())
    name = fields.Field(attribute="name", column_name="name")
    sources = fields.Field(attribute="sources", column_name="sources", widget=SourcesWidget())
    campaigns = fields.Field(attribute="campaign_labels", column_name="campaigns")
    campaign_name_pattern = fields.Field(
        attribute="campaign_name_pattern", column_name="campaign_name_pattern"
    )
    start_date = fields.Field(attribute="start_date", column_name="start_date", widget=DayWidget())
    end_date = fields.Field(attribute="end_date", column_name="end_date", widget=DayWidget())
    contracted_impressions = fields.Field(
        attribute="contracted_impressions",
        column_name="contracted_impressions",
        widget=CountWidget(),
    )
    contracted_budget = fields.Field(
        attribute="contracted_budget", column_name="contracted_budget", widget=MoneyWidget()
    )
    delivery_shape = fields.Field(attribute="delivery_shape", column_name="delivery_shape")

    class Meta:
        model = InsertionOrder
        fields = (
            "client",
            "name",
            "sources",
            "campaigns",
            "campaign_name_pattern",
            "start_date",
            "end_date",
            "contracted_impressions",
            "contracted_budget",
            "delivery_shape",
        )
        import_id_fields = ("client", "name")
        # An unchanged row reaches the update service, which writes (and audits) nothing.
        skip_unchanged = False
        use_transactions = True

    def get_queryset(self) -> QuerySet[InsertionOrder]:
        return (
            InsertionOrder.objects.select_related("client")
            .prefetch_related("campaigns")
            .order_by("client__name", "start_date", "name")
        )

    def get_instance(self, instance_loader: Any, row: Any) -> InsertionOrder | None:
        try:
            return super().get_instance(instance_loader, row)
        except ValueError:
            return None  # an unknown client: a new row, whose client field reports the error

    def dehydrate_campaigns(self, order: InsertionOrder) -> str:
        return SEPARATOR.join(sorted(_campaign_label(c) for c in order.campaigns.all()))

    def import_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
        super().import_instance(instance, row, **kwargs)
        if not instance.delivery_shape:
            instance.delivery_shape = DeliveryShape.EVEN
        instance.campaign_name_pattern = instance.campaign_name_pattern or ""

    def _campaign_ids(self, instance: Any) -> list[int]:
        labels = _split(getattr(instance, "campaign_labels", ""))
        if not labels:
            return []
        known = {
            _campaign_label(campaign): campaign.pk
            for campaign in Campaign.objects.filter(client_id=instance.client_id)
        }
        unknown = [label for label in labels if label not in known]
        if unknown:
            raise ValidationError(
                {
                    "campaigns": f"{instance.client} has no campaign {', '.join(unknown)} "
                    "(write each as source:name, e.g. surfside:Spring CTV)."
                }
            )
        return [known[label] for label in labels]

    def validate_instance(
        self,
        instance: Any,
        import_validation_errors: dict[str, Any] | None = None,
        validate_unique: bool = True,
    ) -> None:
        # The service is the one judge: its refusals become this row's errors.
        errors = dict(import_validation_errors or {})
        if errors:
            raise ValidationError(errors)
        if instance.client_id is None:
            raise ValidationError({"client": "Name the client by its slug."})
        services.insertion_order_check(order=instance, campaign_ids=self._campaign_ids(instance))

    def save_instance(self, instance: Any, is_create: bool, row: Any, **kwargs: Any) -> None:
        by = importing_user(kwargs)
        values = {
            "sources": instance.sources,
            "campaign_name_pattern": instance.campaign_name_pattern,
            "start_date": instance.start_date,
            "end_date": instance.end_date,
            "contracted_impressions": instance.contracted_impressions,
            "contracted_budget": instance.contracted_budget,
            "delivery_shape": instance.delivery_shape,
        }
        campaign_ids = self._campaign_ids(instance)
        if is_create:
            created = services.insertion_order_create(
                client=instance.client,
                name=instance.name,
                by=by,
                campaign_ids=campaign_ids,
                **values,
            )
            instance.pk = created.pk
            return
        saved = InsertionOrder.objects.get(pk=instance.pk)
        services.insertion_order_update(order=saved, by=by, campaign_ids=campaign_ids, **values)

    def save_m2m(self, instance: Any, row: Any, **kwargs: Any) -> None:
        """The campaigns were saved by the service with the order."""
