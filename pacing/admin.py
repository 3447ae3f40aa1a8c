"""Insertion orders in the admin: every save and delete goes through ``pacing.services``; the
form shows the services' refusals beside their fields before anything is written."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import construct_instance
from django.http import HttpRequest
from import_export.admin import ImportExportMixin

from accounts.models import acting_user
from campaigns.models import Campaign, Source
from pacing import services
from pacing.models import InsertionOrder, PacingAlert
from pacing.resources import InsertionOrderResource
from pacing.selectors import pacing_of

# Service error keys that are not form fields, and the form field that shows them.
FORM_FIELD_OF = {"campaign_ids": "campaigns"}
ORDER_FIELDS = [
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
]


class CampaignChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.client} / {obj.source} / {obj.name}"


class InsertionOrderForm(forms.ModelForm):
    sources = forms.MultipleChoiceField(
        choices=Source.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: every source.",
    )

    class Meta:
        model = InsertionOrder
        fields = ORDER_FIELDS
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }

    campaigns = CampaignChoices(
        queryset=Campaign.objects.select_related("client").order_by(
            "client__name", "source", "name"
        ),
        required=False,
        widget=FilteredSelectMultiple("campaigns", is_stacked=False),
        help_text="Only the client's own campaigns. None chosen and no name pattern: all of them.",
    )

    def _post_clean(self) -> None:
        # The instance is built as a ModelForm builds it, but judged by the service alone (its
        # rules and messages, not the database constraints' generic ones).
        self.instance = construct_instance(self, self.instance, self._meta.fields)
        if self.errors:
            return
        order = self.instance
        chosen = self.cleaned_data.get("campaigns") or []
        try:
            services.insertion_order_check(order=order, campaign_ids=[c.pk for c in chosen])
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                name = FORM_FIELD_OF.get(field, field)
                self.add_error(name if name in self.fields else None, messages)


@admin.register(InsertionOrder)
class InsertionOrderAdmin(ImportExportMixin, admin.ModelAdmin):
    """Insertion orders with their pacing on the latest loaded day."""

    resource_classes = [InsertionOrderResource]
    form = InsertionOrderForm
    list_display = ["name", "client", "flight", "contract", "pacing_status", "pace"]
    list_filter = ["client", "delivery_shape"]
    list_select_related = ["client"]
    search_fields = ["name", "client__name", "campaign_name_pattern"]
    autocomplete_fields = ["client"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    date_hierarchy = "start_date"

    def get_queryset(self, request: HttpRequest) -> QuerySet[InsertionOrder]:
        return super().get_queryset(request).prefetch_related("campaigns")

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)
        # One pacing computation for the page's orders, not one per row.
        self._pacing = pacing_of(list(changelist.result_list))
        return changelist

    @admin.display(description="Flight", ordering="start_date")
    def flight(self, order: InsertionOrder) -> str:
        return f"{order.start_date:%b %d, %Y} to {order.end_date:%b %d, %Y}"

    @admin.display(description="Contract")
    def contract(self, order: InsertionOrder) -> str:
        parts = []
        if order.contracted_impressions is not None:
            parts.append(f"{order.contracted_impressions:,} impressions")
        if order.contracted_budget is not None:
            parts.append(f"${order.contracted_budget:,}")
        shape = " (weekdays heavier)" if order.delivery_shape == "weekdays_heavier" else ""
        return " + ".join(parts) + shape

    @admin.display(description="Pacing")
    def pacing_status(self, order: InsertionOrder) -> str:
        found = getattr(self, "_pacing", {}).get(order.pk)
        return "" if found is None else f"{found.status.replace('_', ' ')} ({found.as_of})"

    @admin.display(description="Pace %")
    def pace(self, order: InsertionOrder) -> str:
        found = getattr(self, "_pacing", {}).get(order.pk)
        return "" if found is None or found.pace_percent is None else f"{found.pace_percent} %"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        by = acting_user(request.user)
        values = {
            field: form.cleaned_data[field] for field in ORDER_FIELDS if field in form.cleaned_data
        }
        campaign_ids = [campaign.pk for campaign in values.pop("campaigns")]
        if change:
            saved = InsertionOrder.objects.get(pk=obj.pk)
            values.pop("client", None)
            services.insertion_order_update(order=saved, by=by, campaign_ids=campaign_ids, **values)
            return
        created = services.insertion_order_create(by=by, campaign_ids=campaign_ids, **values)
        obj.pk = created.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The campaigns were saved by the service with the order."""

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.insertion_order_delete(order=obj, by=acting_user(request.user))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[InsertionOrder]) -> None:
        for order in queryset:
            services.insertion_order_delete(order=order, by=acting_user(request.user))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # An order stays with the client it was sold to.
        return [*self.readonly_fields, "client"] if obj is not None else self.readonly_fields


@admin.register(PacingAlert)
class PacingAlertAdmin(admin.ModelAdmin):
    """The alerts that were sent (read-only: the record that keeps them from going out twice)."""

    list_display = ["sent_at", "kind", "client", "order", "source", "day"]
    list_filter = ["kind", "client", "source"]
    list_select_related = ["client", "order"]
    search_fields = ["client__name", "order__name", "message"]
    readonly_fields = [field.name for field in PacingAlert._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
