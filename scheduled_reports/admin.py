"""Admin for scheduled reports: every client's schedules, and the history of what each sent
with the PDF as sent (downloadable again)."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, QuerySet
from django.forms import ModelForm
from django.http import FileResponse, Http404, HttpRequest
from django.urls import path, reverse
from django.utils.html import format_html

from accounts.models import User, acting_user
from core.admin import RecordAdmin
from scheduled_reports.forms import AdminScheduleForm
from scheduled_reports.models import ReportDelivery, ReportSchedule
from scheduled_reports.services import schedule_pause, schedule_save


def _download_link(delivery: ReportDelivery) -> str:
    url = reverse("admin:scheduled_reports_reportdelivery_pdf", args=[delivery.pk])
    return format_html('<a href="{}">{}</a>', url, delivery.pdf_name)


class DeliveryInline(admin.TabularInline):
    """What this schedule sent, newest first."""

    model = ReportDelivery
    extra = 0
    can_delete = False
    fields = ("period_start", "period_end", "sent_at", "recipients_text", "pdf_link")
    readonly_fields = fields
    ordering = ["-period_start"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Sent to")
    def recipients_text(self, delivery: ReportDelivery) -> str:
        return ", ".join(delivery.recipients)

    @admin.display(description="PDF as sent")
    def pdf_link(self, delivery: ReportDelivery) -> str:
        return _download_link(delivery)


@admin.register(ReportSchedule)
class ReportScheduleAdmin(admin.ModelAdmin):
    form = AdminScheduleForm
    list_display = [
        "name",
        "client",
        "frequency",
        "sections_text",
        "recipient_count",
        "is_active",
        "last_sent",
        "waiting_for",
    ]
    list_filter = ["frequency", "is_active", "client"]
    list_select_related = ["client"]
    search_fields = ["name", "client__name", "outside_emails"]
    autocomplete_fields = ["client"]
    filter_horizontal = ["recipients"]
    readonly_fields = ["waiting_for", "created_by", "created_at", "updated_at"]
    inlines = [DeliveryInline]
    actions = ["pause", "resume"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReportSchedule]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                recipient_total=Count("recipients", distinct=True),
                last_sent_at=Max("deliveries__sent_at"),
            )
        )

    @admin.display(description="Sections")
    def sections_text(self, schedule: ReportSchedule) -> str:
        return ", ".join(schedule.section_labels)

    @admin.display(description="Recipients")
    def recipient_count(self, schedule: Any) -> str:
        users = schedule.recipient_total
        return f"{users} users" + (
            f" + {len(schedule.outside_emails)} outside" if schedule.outside_emails else ""
        )

    @admin.display(description="Last sent", ordering="last_sent_at")
    def last_sent(self, schedule: Any) -> Any:
        return schedule.last_sent_at

    def get_form(
        self, request: HttpRequest, obj: Any | None = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm[Any]]:
        form_class = super().get_form(request, obj, change, **kwargs)
        user = acting_user(request.user)

        class CheckedForm(form_class):  # type: ignore[misc, valid-type]
            """Runs the service's checks as the form's, so a refused schedule shows its
            errors on the form and nothing is written."""

            def clean(self) -> dict[str, Any]:
                cleaned: dict[str, Any] = super().clean()
                if self.errors or "client" not in cleaned:
                    return cleaned
                self.checked = _dry_run(self, cleaned, user, obj)
                return cleaned

        return CheckedForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        cleaned = form.cleaned_data
        saved = schedule_save(
            client=cleaned["client"],
            name=cleaned["name"],
            frequency=cleaned["frequency"],
            sections=cleaned["sections"],
            recipients=cleaned["recipients"],
            outside_emails=cleaned["outside_emails"],
            is_active=cleaned["is_active"],
            by=acting_user(request.user),
            schedule=ReportSchedule.objects.get(pk=obj.pk) if change else None,
        )
        if cleaned.get("starts_on") and saved.starts_on != cleaned["starts_on"]:
            saved.starts_on = cleaned["starts_on"]
            saved.save(update_fields=["starts_on", "updated_at"])
        obj.pk = saved.pk
        form.instance = saved

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description="Pause the selected schedules")
    def pause(self, request: HttpRequest, queryset: QuerySet[ReportSchedule]) -> None:
        for schedule in queryset:
            schedule_pause(schedule=schedule, is_active=False)

    @admin.action(description="Resume the selected schedules")
    def resume(self, request: HttpRequest, queryset: QuerySet[ReportSchedule]) -> None:
        for schedule in queryset:
            schedule_pause(schedule=schedule, is_active=True)


def _dry_run(form: ModelForm, cleaned: dict[str, Any], user: User, obj: Any) -> bool:
    """The service's checks without writing: errors go on the form's fields."""
    from scheduled_reports.services import schedule_errors

    errors = schedule_errors(
        client=cleaned["client"],
        frequency=cleaned.get("frequency", ""),
        sections=cleaned.get("sections", []),
        recipients=list(cleaned.get("recipients", [])),
        outside_emails=cleaned.get("outside_emails", []),
        by=user,
        schedule=obj,
    )
    for field, messages in errors.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, ValidationError(message))
    return not errors


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(RecordAdmin):
    """The history of what was sent: read-only, with the figures and the PDF as sent."""

    list_display = ["schedule", "client", "period_start", "period_end", "sent_at", "pdf_link"]
    list_filter = ["schedule__client", "schedule__frequency"]
    list_select_related = ["schedule__client"]
    search_fields = ["schedule__name", "schedule__client__name", "recipients"]
    date_hierarchy = "period_start"
    fields = (
        "schedule",
        "period_start",
        "period_end",
        "sent_at",
        "subject",
        "recipients_text",
        "pdf_link",
        "figures_text",
    )
    readonly_fields = fields

    @admin.display(description="Client", ordering="schedule__client__name")
    def client(self, delivery: ReportDelivery) -> str:
        return delivery.schedule.client.name

    @admin.display(description="Sent to")
    def recipients_text(self, delivery: ReportDelivery) -> str:
        return ", ".join(delivery.recipients)

    @admin.display(description="PDF as sent")
    def pdf_link(self, delivery: ReportDelivery) -> str:
        return _download_link(delivery)

    @admin.display(description="Figures as sent")
    def figures_text(self, delivery: ReportDelivery) -> str:
        return format_html(
            '<pre style="white-space: pre-wrap;">{}</pre>', json.dumps(delivery.figures, indent=2)
        )

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:pk>/pdf/",
                self.admin_site.admin_view(self.pdf_view),
                name="scheduled_reports_reportdelivery_pdf",
            ),
            *super().get_urls(),
        ]

    def pdf_view(self, request: HttpRequest, pk: int) -> FileResponse:
        if not self.has_view_permission(request):
            raise Http404
        delivery = ReportDelivery.objects.filter(pk=pk).first()
        if delivery is None:
            raise Http404("No such delivery.")
        return FileResponse(
            delivery.pdf.open("rb"),
            as_attachment=True,
            filename=delivery.pdf_name,
            content_type="application/pdf",
        )
