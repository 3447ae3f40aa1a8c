"""Manual annotations in the admin: every save and delete goes through
``annotations.services`` (checked, then audited); its refusals show beside their fields before
anything is written."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.models import construct_instance
from django.http import HttpRequest

from accounts.models import acting_user
from annotations import services
from annotations.models import Annotation
from campaigns.models import Campaign

FORM_FIELDS = ["client", "campaign", "start_date", "end_date", "text", "visibility"]


class CampaignChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.client} / {obj.get_source_display()} / {obj.name}"


class AnnotationForm(forms.ModelForm):
    campaign = CampaignChoice(
        queryset=Campaign.objects.select_related("client").order_by("client__name", "name"),
        required=False,
        help_text="Only this campaign's pages (and the client's dashboard); one of the client's "
        "own. Empty: every chart of the client.",
    )

    class Meta:
        model = Annotation
        fields = FORM_FIELDS
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "text": forms.TextInput(attrs={"size": 80}),
        }

    def _post_clean(self) -> None:
        # Judged by the service alone: its rules and messages, not the constraints' generic ones.
        self.instance = construct_instance(self, self.instance, self._meta.fields)
        if self.errors:
            return
        try:
            services.annotation_check(annotation=self.instance)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    """Notes an admin writes on a client's charts (the automatic ones are not stored)."""

    form = AnnotationForm
    list_display = ["start_date", "end_date", "client", "campaign", "text", "visibility"]
    list_filter = ["visibility", "client"]
    list_select_related = ["client", "campaign"]
    search_fields = ["text", "client__name", "campaign__name"]
    autocomplete_fields = ["client"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    date_hierarchy = "start_date"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        by = acting_user(request.user)
        values = {
            field: form.cleaned_data[field] for field in FORM_FIELDS if field in form.cleaned_data
        }
        if change:
            saved = Annotation.objects.get(pk=obj.pk)
            values.pop("client", None)
            services.annotation_update(annotation=saved, by=by, **values)
            return
        created = services.annotation_create(by=by, **values)
        obj.pk = created.pk

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.annotation_delete(annotation=obj, by=acting_user(request.user))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Annotation]) -> None:
        for annotation in queryset:
            services.annotation_delete(annotation=annotation, by=acting_user(request.user))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # A note stays with the client it was written for.
        return [*self.readonly_fields, "client"] if obj is not None else self.readonly_fields
