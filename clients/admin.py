from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import acting_user
from clients import services
from clients.models import CPM_DECIMAL_PLACES, CPM_MAX_DIGITS, Client, ClientStatus, CpmRate
from clients.selectors import clients_with_current_cpm


class CpmRateInline(admin.TabularInline):
    """The CPM history, read-only here: rates are added and changed through the CPM rate pages,
    which show the spend impact before anything is re-priced."""

    model = CpmRate
    extra = 0
    can_delete = False
    fields = ["effective_date", "cpm", "note", "set_by", "created_at"]
    readonly_fields = ["effective_date", "cpm", "note", "set_by", "created_at"]
    ordering = ["-effective_date"]
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ClientAddForm(forms.ModelForm):
    """A client is created together with its first CPM rate."""

    initial_cpm = forms.DecimalField(
        label="CPM",
        max_digits=CPM_MAX_DIGITS,
        decimal_places=CPM_DECIMAL_PLACES,
        min_value=0.0001,
        help_text="Price per thousand impressions.",
    )
    initial_cpm_effective_date = forms.DateField(
        label="CPM effective from",
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = Client
        fields = ["name", "slug"]


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "status", "current_cpm", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["status", "created_at", "updated_at"]
    inlines = [CpmRateInline]
    actions = ["enable_clients", "disable_clients"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Client]:
        return clients_with_current_cpm(super().get_queryset(request), on=timezone.localdate())

    @admin.display(description="Current CPM", ordering="current_cpm")
    def current_cpm(self, client: Any) -> Any:
        return client.current_cpm

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = ClientAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [
                (None, {"fields": ["name", "slug", "initial_cpm", "initial_cpm_effective_date"]})
            ]
        return [(None, {"fields": ["name", "slug", "status", "created_at", "updated_at"]})]

    def get_inlines(self, request: HttpRequest, obj: Any = None) -> Any:
        return self.inlines if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            saved = Client.objects.get(pk=obj.pk)
            services.client_update(
                client=saved,
                by=acting_user(request.user),
                name=obj.name,
                slug=obj.slug,
            )
            return
        created = services.client_create(
            name=obj.name,
            slug=obj.slug,
            cpm=form.cleaned_data["initial_cpm"],
            cpm_effective_date=form.cleaned_data["initial_cpm_effective_date"],
            by=acting_user(request.user),
        )
        obj.pk = created.pk

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The inline is read-only; nothing related is saved from this form."""

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.client_delete(client=obj, by=acting_user(request.user))

    def _set_status(self, request: HttpRequest, queryset: QuerySet[Client], status: str) -> None:
        for client in queryset:
            services.client_set_status(client=client, status=status, by=acting_user(request.user))
        label = "enabled" if status == ClientStatus.ACTIVE else "disabled"
        messages.success(request, f"{queryset.count()} client(s) {label}.")

    @admin.action(description="Enable selected clients (their users can log in again)")
    def enable_clients(self, request: HttpRequest, queryset: QuerySet[Client]) -> None:
        self._set_status(request, queryset, ClientStatus.ACTIVE)

    @admin.action(description="Disable selected clients (their users are locked out at once)")
    def disable_clients(self, request: HttpRequest, queryset: QuerySet[Client]) -> None:
        self._set_status(request, queryset, ClientStatus.DISABLED)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or not (obj.users.exists() or obj.ingestion_runs.exists())
