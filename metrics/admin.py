from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import InlineModelAdmin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from import_export.admin import ImportExportMixin

from accounts.models import User, acting_user
from clients import services
from clients.models import CPM_DECIMAL_PLACES, CPM_MAX_DIGITS, Client, ClientStatus, CpmRate
from clients.selectors import clients_with_current_cpm
from metrics import cpm as cpm_services
from metrics import formatting
from metrics.cpm_impact import cpm_impact, impact_display
from metrics.resources import ClientResource, CpmRateResource


def cpm_text(cpm: Decimal | None) -> str:
    """A CPM as the portal writes money (``16.5000`` -> ``$16.50``), keeping the digits past the
    cents a rate may have (``$16.1234``)."""
    if cpm is None:
        return "-"
    if cpm == cpm.quantize(Decimal("0.01")):
        return formatting.money(cpm)
    return f"${cpm:,.{CPM_DECIMAL_PLACES}f}".rstrip("0")


class CpmRateInline(admin.TabularInline):
    """The CPM history, read-only here: rates are added and changed through the CPM rate pages,
    which show the spend impact before anything is re-priced."""

    model = CpmRate
    extra = 0
    can_delete = False
    fields = ["effective_date", "cpm_shown", "note", "set_by", "created_at"]
    readonly_fields = ["effective_date", "cpm_shown", "note", "set_by", "created_at"]
    verbose_name_plural = "CPM history (use 'Add CPM rate' to change it: it previews the impact)"
    ordering = ["-effective_date"]
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="CPM")
    def cpm_shown(self, rate: CpmRate) -> str:
        return cpm_text(rate.cpm)


class ConnectionInline(admin.StackedInline):
    """A source's connection on the client page, saved through that source's service."""

    extra = 0
    max_num = 1
    can_delete = False

    @classmethod
    def save_through_service(cls, *, client: Client, values: dict[str, Any], by: User) -> None:
        """Abstract: each source's inline saves its connection through its own service
        (e.g. ``ingestion.sources.surfside.admin``)."""
        raise NotImplementedError


# The sources sit above this app: each adds its inlines (a connection, saved through its service,
# or plain rows such as Facebook's ad accounts) from its own admin module.
_connection_inlines: list[type[InlineModelAdmin[Any, Any]]] = []

InlineT = TypeVar("InlineT", bound="type[InlineModelAdmin[Any, Any]]")


def register_connection_inline(inline: InlineT) -> InlineT:
    """Show ``inline`` on every client's admin page (a class decorator)."""
    _connection_inlines.append(inline)
    return inline


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
class ClientAdmin(ImportExportMixin, admin.ModelAdmin):
    """Clients with their CPM history and connections; import/export through
    ``metrics.resources`` (every imported row goes through the clients services)."""

    resource_classes = [ClientResource]
    # Shows the spend impact of new CPM rates on the import's confirm page.
    import_template_name = "admin/clients/cpmrate/import.html"
    list_display = ["name", "slug", "status", "current_cpm", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["status", "created_at", "updated_at"]
    inlines = [CpmRateInline]  # and each source's connection (``register_connection_inline``)
    actions = ["enable_clients", "disable_clients"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Client]:
        return clients_with_current_cpm(super().get_queryset(request), on=timezone.localdate())

    @admin.display(description="Current CPM", ordering="current_cpm")
    def current_cpm(self, client: Any) -> str:
        return cpm_text(client.current_cpm)

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
        return [*self.inlines, *_connection_inlines] if obj is not None else []

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

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        """CPM history is read-only here; a source's connection goes through its service."""
        inline = next((i for i in _connection_inlines if i.model is formset.model), None)
        if inline is None or not issubclass(inline, ConnectionInline):
            formset.save()  # CPM history is read-only; other rows save as they are
            return
        # The admin's change message reads these; the service below does the saving.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if inline_form.has_changed() and inline_form.is_valid():
                inline.save_through_service(
                    client=form.instance,
                    values=inline_form.cleaned_data,
                    by=acting_user(request.user),
                )

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


class CpmRateForm(forms.ModelForm):
    class Meta:
        model = CpmRate
        fields = ["client", "cpm", "effective_date", "note"]
        widgets = {"effective_date": forms.DateInput(attrs={"type": "date"})}


@admin.register(CpmRate)
class CpmRateAdmin(ImportExportMixin, admin.ModelAdmin):
    """CPM rates. Adding, changing or deleting one shows the spend it would change, per month,
    before anything is re-priced; confirming re-prices in the same transaction. Imported rates
    go through ``cpm_rate_add`` (``metrics.resources``)."""

    resource_classes = [CpmRateResource]
    # Shows each client's spend impact on the import's confirm page (``CpmRateResource``).
    import_template_name = "admin/clients/cpmrate/import.html"
    form = CpmRateForm
    list_display = ["client", "effective_date", "cpm_shown", "note", "set_by", "updated_at"]
    list_filter = ["client"]
    list_select_related = ["client", "set_by"]
    search_fields = ["client__name", "note"]
    autocomplete_fields = ["client"]
    ordering = ["client__name", "-effective_date"]

    @admin.display(description="CPM", ordering="cpm")
    def cpm_shown(self, rate: CpmRate) -> str:
        return cpm_text(rate.cpm)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        return {
            **super().get_changeform_initial_data(request),
            "effective_date": timezone.localdate(),
        }

    def _proposed(self, rate: CpmRate, *, removing: bool = False) -> list[tuple[Any, Decimal]]:
        history = {
            other.effective_date: other.cpm
            for other in CpmRate.objects.filter(client=rate.client).exclude(pk=rate.pk)
        }
        if not removing:
            history[rate.effective_date] = rate.cpm
        return sorted(history.items())

    def _preview(
        self, request: HttpRequest, rate: CpmRate, form: Any, title: str, removing: bool = False
    ) -> HttpResponse:
        impact = cpm_impact(client_id=rate.client_id, rates=self._proposed(rate, removing=removing))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "rate": rate,
            "rate_text": cpm_text(rate.cpm),
            "impact": impact,
            **impact_display(impact),
            "title": title,
            "removing": removing,
        }
        return TemplateResponse(request, "admin/clients/cpmrate/preview.html", context)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> Any:
        if request.method == "POST" and "_confirmed" not in request.POST:
            instance = CpmRate.objects.get(pk=object_id) if object_id else None
            form = self.get_form(request, instance)(request.POST, instance=instance)
            if form.is_valid():
                title = "Confirm the CPM change" if object_id else "Confirm the new CPM rate"
                return self._preview(request, form.save(commit=False), form, title)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        by = acting_user(request.user)
        if change:
            saved = CpmRate.objects.get(pk=obj.pk)
            cpm_services.cpm_rate_change(
                rate=saved, by=by, cpm=obj.cpm, effective_date=obj.effective_date, note=obj.note
            )
            obj.refresh_from_db()
        else:
            created = cpm_services.cpm_rate_add(
                client=obj.client,
                cpm=obj.cpm,
                effective_date=obj.effective_date,
                by=by,
                note=obj.note,
            )
            obj.pk = created.pk
        messages.info(
            request,
            "The days this rate governs are being re-priced (queued, usually seconds: the "
            "dashboard says so until it is done).",
        )

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> Any:
        rate = CpmRate.objects.select_related("client").get(pk=object_id)
        if request.method == "POST" and "_confirmed" in request.POST:
            try:
                cpm_services.cpm_rate_delete(rate=rate, by=acting_user(request.user))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return HttpResponseRedirect(reverse("admin:clients_cpmrate_change", args=[rate.pk]))
            messages.success(
                request,
                f"The rate of {rate.effective_date} was removed; the days it governed are being "
                "re-priced (queued, usually seconds: the dashboard says so until it is done).",
            )
            return HttpResponseRedirect(reverse("admin:clients_cpmrate_changelist"))
        return self._preview(request, rate, None, "Confirm removing the CPM rate", removing=True)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is not None and super().has_delete_permission(request, obj)


# Registers the read-only restatement pages.
from metrics import admin_restatements  # noqa: E402, F401
