"""Admin pages for Vibe: connections (the key is write-only and shown masked), report requests
(read-only, with a retry action) and each API key's budget and circuit breaker (read-only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts.models import acting_user
from ingestion.sources.vibe.keys import mask_api_key
from ingestion.sources.vibe.models import VibeConnection, VibeKeyBudget, VibeReportRequest
from ingestion.sources.vibe.selectors import requests_in_last_hour
from ingestion.sources.vibe.services import (
    API_KEY_INVALID,
    API_KEY_MIN_LENGTH,
    report_request_retry,
    vibe_connection_set,
)


class VibeConnectionForm(forms.ModelForm):
    """The key is typed in, never shown: the field always renders empty, and leaving it empty
    on an existing connection keeps the stored key."""

    api_key = forms.CharField(
        label="API key",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Write-only. Leave empty to keep the current key.",
    )
    base_url = forms.URLField(
        label="Base URL",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="Leave empty for the default Vibe API (VIBE_API_BASE_URL).",
    )

    class Meta:
        model = VibeConnection
        fields = ["client", "advertiser_id", "api_key", "base_url", "is_enabled"]

    def clean_api_key(self) -> str:
        api_key = str(self.cleaned_data.get("api_key") or "")
        if api_key and (len(api_key) < API_KEY_MIN_LENGTH or any(c.isspace() for c in api_key)):
            raise ValidationError(API_KEY_INVALID)
        return api_key

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk is None and not cleaned.get("api_key"):
            self.add_error("api_key", "Enter the Vibe API key.")
        return cleaned


@admin.register(VibeConnection)
class VibeConnectionAdmin(admin.ModelAdmin):
    form = VibeConnectionForm
    list_display = ["client", "advertiser_id", "masked_key", "base_url_shown", "is_enabled"]
    list_filter = ["is_enabled"]
    list_select_related = ["client"]
    search_fields = ["client__name", "client__slug", "advertiser_id"]
    autocomplete_fields = ["client"]
    readonly_fields = ["masked_key", "created_at", "updated_at"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = ["client", "advertiser_id", "api_key", "base_url", "is_enabled"]
        return [*fields, "masked_key", "created_at", "updated_at"] if obj else fields

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The client of an existing connection is fixed: a new client gets its own connection.
        return [*self.readonly_fields, "client"] if obj else list(self.readonly_fields)

    @admin.display(description="API key")
    def masked_key(self, connection: VibeConnection) -> str:
        return connection.masked_api_key

    @admin.display(description="Base URL")
    def base_url_shown(self, connection: VibeConnection) -> str:
        return connection.effective_base_url

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = vibe_connection_set(
            client=obj.client,
            advertiser_id=data["advertiser_id"],
            api_key=data.get("api_key") or "",
            base_url=data.get("base_url") or "",
            is_enabled=data.get("is_enabled", True),
            by=acting_user(request.user),
        )
        obj.pk = saved.pk


@admin.register(VibeReportRequest)
class VibeReportRequestAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "client",
        "start_date",
        "end_date",
        "state",
        "attempts",
        "next_attempt_at",
        "report_id",
        "run_link",
        "short_error",
    ]
    list_filter = ["state", "trigger", "client"]
    list_select_related = ["client", "run"]
    search_fields = ["client__name", "client__slug", "report_id"]
    date_hierarchy = "created_at"
    actions = ["retry_failed"]
    fields = (
        "client",
        "start_date",
        "end_date",
        "state",
        "note",
        "failure_reason",
        "last_error",
        "trigger",
        "triggered_by",
        "requested_date",
        "report_id",
        "report_created_at",
        "vendor_status",
        "attempts",
        "polls",
        "retries",
        "last_polled_at",
        "next_attempt_at",
        "deadline",
        "download_link",
        "download_url_obtained_at",
        "file_key",
        "run_link",
        "created_at",
        "updated_at",
        "finished_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Run")
    def run_link(self, report_request: VibeReportRequest) -> str:
        if report_request.run_id is None:
            return "-"
        url = reverse("admin:ingestion_ingestionrun_change", args=[report_request.run_id])
        return format_html('<a href="{}">#{}</a>', url, report_request.run_id)

    @admin.display(description="Error")
    def short_error(self, report_request: VibeReportRequest) -> str:
        text = report_request.failure_reason or report_request.last_error
        return text if len(text) <= 80 else f"{text[:77]}..."

    @admin.display(description="Download link")
    def download_link(self, report_request: VibeReportRequest) -> str:
        # The signed part of a pre-signed link is a credential of its own: shown as present only.
        return "present" if report_request.download_url else "-"

    @admin.action(description="Retry the selected failed reports")
    def retry_failed(self, request: HttpRequest, queryset: QuerySet[VibeReportRequest]) -> None:
        retried, refused = 0, []
        for report_request in queryset.select_related("client"):
            try:
                report_request_retry(report_request=report_request, by=acting_user(request.user))
            except ValidationError as error:
                refused.append(f"#{report_request.pk}: {' '.join(error.messages)}")
            else:
                retried += 1
        if retried:
            self.message_user(request, f"{retried} report(s) queued again.", messages.SUCCESS)
        if refused:
            self.message_user(request, " ".join(refused), messages.WARNING)


@admin.register(VibeKeyBudget)
class VibeKeyBudgetAdmin(admin.ModelAdmin):
    list_display = [
        "key",
        "used_last_hour",
        "circuit",
        "consecutive_failures",
        "blocked_until",
        "vendor_remaining",
        "updated_at",
    ]
    search_fields = ["key_last4"]
    fields = (
        "key",
        "used_last_hour",
        "requests_sent",
        "circuit",
        "consecutive_failures",
        "circuit_open_until",
        "last_failure",
        "last_failure_at",
        "blocked_until",
        "blocked_reason",
        "vendor_limit",
        "vendor_remaining",
        "vendor_reset_at",
        "updated_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting the row would forget the hour's requests and let the budget be overspent.
        return False

    @admin.display(description="API key")
    def key(self, budget: VibeKeyBudget) -> str:
        return mask_api_key(budget.key_last4)

    @admin.display(description="Requests in the last hour")
    def used_last_hour(self, budget: VibeKeyBudget) -> str:
        used = requests_in_last_hour(budget, now=timezone.now())
        return f"{used} of {settings.VIBE_REQUESTS_PER_HOUR}"

    @admin.display(description="Circuit breaker")
    def circuit(self, budget: VibeKeyBudget) -> str:
        if budget.circuit_open_until and budget.circuit_open_until > timezone.now():
            until = timezone.localtime(budget.circuit_open_until)
            failures = budget.consecutive_failures
            return f"OPEN until {until:%Y-%m-%d %H:%M} after {failures} failure(s) in a row"
        return "closed"
