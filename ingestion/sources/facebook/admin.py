"""Facebook uploads in the admin: upload for a client, see the outcome, undo."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from accounts.models import acting_user
from clients.models import Client
from ingestion.files import FileRefused
from ingestion.sources.facebook.models import FacebookAdAccount, FacebookUpload, UploadStatus
from ingestion.sources.facebook.services import (
    DuplicateUpload,
    facebook_upload_create,
    facebook_upload_undo,
)
from metrics.admin import register_connection_inline


@register_connection_inline
class FacebookAdAccountInline(admin.TabularInline):
    """The ad accounts whose Meta exports belong to the client: an upload from any other account
    is refused (the first upload's account is listed here when none is)."""

    model = FacebookAdAccount
    extra = 0
    fields = ["name", "account_id", "added_by", "created_at"]
    readonly_fields = ["added_by", "created_at"]
    verbose_name = "Facebook ad account"


class UploadForm(forms.Form):
    client = forms.ModelChoiceField(queryset=Client.objects.order_by("name"))
    file = forms.FileField(
        help_text="A Facebook/Meta Ads Manager export with a daily breakdown, "
        ".csv or .xlsx, at most 50 MB."
    )


@admin.register(FacebookUpload)
class FacebookUploadAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "original_name",
        "client",
        "status",
        "rows",
        "uploaded_by",
        "created_at",
        "run_link",
    ]
    list_filter = ["status", "client", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["client", "uploaded_by", "run"]
    search_fields = ["original_name", "client__name", "checksum"]
    readonly_fields = [
        "client",
        "original_name",
        "file",
        "size_bytes",
        "checksum",
        "uploaded_by",
        "status",
        "run_link",
        "undone_by",
        "undone_at",
        "created_at",
    ]
    exclude = ["run"]
    actions = ["undo_uploads"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Rows loaded / refused")
    def rows(self, upload: FacebookUpload) -> str:
        if upload.run is None:
            return "-"
        return f"{upload.run.rows_loaded:,} / {upload.run.rows_failed:,}"

    @admin.display(description="Run")
    def run_link(self, upload: FacebookUpload) -> str:
        if upload.run_id is None:
            return "-"
        url = reverse("admin:ingestion_ingestionrun_change", args=[upload.run_id])
        return format_html('<a href="{}">#{}</a>', url, upload.run_id)

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Admins upload an export for the client they pick."""
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                upload = facebook_upload_create(
                    client=form.cleaned_data["client"],
                    upload=form.cleaned_data["file"],
                    by=acting_user(request.user),
                    queue_large=True,
                )
            except DuplicateUpload as duplicate:
                form.add_error("file", str(duplicate))
            except FileRefused as refused:
                form.add_error("file", str(refused))
            else:
                run = upload.run
                if upload.status == UploadStatus.PROCESSING:
                    messages.info(
                        request,
                        f"{upload.original_name}: queued (a large file is loaded by the task "
                        "cluster); this list shows its outcome once loaded.",
                    )
                    return HttpResponseRedirect(
                        reverse("admin:ingestion_facebookupload_changelist")
                    )
                level = (
                    messages.SUCCESS
                    if upload.status == UploadStatus.LOADED
                    else (
                        messages.WARNING
                        if upload.status == UploadStatus.PARTIAL
                        else messages.ERROR
                    )
                )
                messages.add_message(
                    request,
                    level,
                    f"{upload.original_name}: "
                    f"{run.message if run else upload.get_status_display()}",
                )
                return HttpResponseRedirect(reverse("admin:ingestion_facebookupload_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "form": form,
            "title": "Upload a Facebook export",
            "has_file_field": True,
        }
        return TemplateResponse(request, "admin/ingestion/facebookupload/upload.html", context)

    @admin.action(description="Undo the selected uploads (remove the rows they loaded)")
    def undo_uploads(self, request: HttpRequest, queryset: QuerySet[FacebookUpload]) -> None:
        for upload in queryset:
            try:
                removed = facebook_upload_undo(upload=upload, by=acting_user(request.user))
            except ValidationError as error:
                messages.error(request, f"{upload.original_name}: {' '.join(error.messages)}")
            else:
                messages.success(
                    request, f"{upload.original_name}: {removed:,} metric rows removed."
                )
