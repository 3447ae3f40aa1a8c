from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from accounts.audit import snapshot
from accounts.forms import PasswordResetByAdminForm
from accounts.models import AuditLog, User, acting_user
from accounts.services import USER_AUDIT_FIELDS, user_delete, user_password_reset, user_update


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "role", "client", "is_active", "last_login"]
    list_filter = ["role", "is_active", "client"]
    list_select_related = ["client"]
    search_fields = ["username", "email", "first_name", "last_name", "client__name"]
    autocomplete_fields = ["client"]
    readonly_fields = ["last_login", "date_joined", "updated_at", "is_staff", "is_superuser"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Person", {"fields": ("first_name", "last_name", "email")}),
        (
            "Access",
            {
                "fields": (
                    "role",
                    "client",
                    "is_active",
                    "deactivated_with_client",
                    "is_staff",
                    "is_superuser",
                )
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined", "updated_at")}),
    )
    add_fieldsets = (
        (None, {"fields": ("username", "email", "role", "client", "password1", "password2")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        """Another admin's e-mail is read-only: changing it, then asking for a password reset,
        would take over their account."""
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.is_admin and obj.pk != getattr(request.user, "pk", None):
            fields.append("email")
        return fields

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        before = snapshot(User.objects.get(pk=obj.pk), USER_AUDIT_FIELDS) if change else None
        try:
            user_update(user=obj, by=acting_user(request.user), before=before)
        except PermissionDenied as error:
            messages.error(request, str(error))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        user_delete(user=obj, by=acting_user(request.user))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        for user in queryset:
            user_delete(user=user, by=acting_user(request.user))

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<id>/password/",
                self.admin_site.admin_view(self.reset_password_view),
                name="accounts_user_password_change",
            ),
            *super().get_urls(),
        ]

    def reset_password_view(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Admins reset a client user's password (or their own), never another admin's."""
        target = get_object_or_404(User, pk=id)
        acting = acting_user(request.user)
        if target.is_admin and target.pk != acting.pk:
            messages.error(request, "You cannot reset another admin's password.")
            return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[target.pk]))
        form = PasswordResetByAdminForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                user_password_reset(
                    user=target, new_password=form.cleaned_data["new_password1"], by=acting
                )
            except ValidationError as error:
                form.add_error("new_password1", error)
            else:
                messages.success(request, f"The password of {target.username} has been reset.")
                return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[target.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Reset the password of {target.username}",
            "form": form,
            "target": target,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/accounts/user/reset_password.html", context)


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    """The audit trail, read-only: nobody edits or deletes history from the admin."""

    list_display = ["created_at", "username", "action", "entity_type", "entity_label", "ip_address"]
    list_filter = ["action", "entity_type", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["username", "entity_label", "entity_id", "ip_address"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    readonly_fields = [
        "created_at",
        "user",
        "username",
        "action",
        "entity_type",
        "entity_id",
        "entity_label",
        "changes",
        "ip_address",
        "user_agent",
    ]
    exclude = ["old_values", "new_values"]

    @admin.display(description="Changes")
    def changes(self, entry: AuditLog) -> str:
        old = entry.old_values or {}
        new = entry.new_values or {}
        keys = list(dict.fromkeys([*old, *new]))
        if not keys:
            return "-"
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
            ((key, old.get(key, ""), new.get(key, "")) for key in keys),
        )
        return format_html(
            '<table class="audit-changes"><thead><tr><th>Field</th><th>Before</th>'
            "<th>After</th></tr></thead><tbody>{}</tbody></table>",
            rows,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# The product has two roles (admin, client) and no permission groups: the groups page would only
# invite settings that change nothing.
admin.site.unregister(Group)
