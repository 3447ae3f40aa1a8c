from __future__ import annotations

import csv
import io
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from accounts.models import acting_user
from core.cells import defuse
from ingestion import services
from ingestion.models.backfill import BackfillJob
from ingestion.models.runs import IngestionRun, RunStatus
from ingestion.selectors import refused_rows, refused_staging_rows
from metrics import formatting

# File names longer than this are cut in the runs list (the full name is in the tooltip), so the
# list keeps its file and row columns in view at 1440 px beside the filters.
LIST_FILE_NAME_CHARS = 28


def is_internal_column(name: str) -> bool:
    """Columns an adapter derives for itself (``__ad_name__``): never shown to people."""
    return name.startswith("__") and name.endswith("__")


def status_badge(status: str, label: str) -> str:
    """A coloured label; the colours are in ``static/css/admin_extra.css`` (the CSP refuses
    inline styles)."""
    modifier = status if status in RunStatus.values else "other"
    return format_html('<span class="run-status run-status-{}">{}</span>', modifier, label)


class ResolveForm(forms.Form):
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        help_text="What was wrong and what was done about it.",
    )


@admin.register(IngestionRun)
class IngestionRunAdmin(admin.ModelAdmin):
    """Every run of the pipeline: what happened, with the refused rows and actions to fix it."""

    class Media:
        css = {"all": ["css/admin_extra.css"]}

    # Nine compact columns: at 1440 px beside the filters none is pushed out of view.
    list_display = [
        "id",
        "client",
        "source",
        "status_label",
        "days",
        "file_shown",
        "rows_shown",
        "started_shown",
        "resolution_status",
    ]
    list_filter = [
        "status",
        "source",
        "client",
        "resolution_status",
        "trigger",
        ("started_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["client"]
    search_fields = ["client__name", "client__slug", "file_name", "message"]
    date_hierarchy = "started_at"
    actions = ["rerun_runs"]
    readonly_fields = [
        "client",
        "source",
        "status_label",
        "trigger",
        "triggered_by",
        "requested_date",
        "date_from",
        "date_to",
        "file_name",
        "file_key",
        "rows_read",
        "rows_loaded",
        "rows_failed",
        "rows_replaced",
        "started_at",
        "finished_at",
        "timings_table",
        "message",
        "warning_list",
        "row_errors",
        "resolution_status",
        "resolution_notes",
        "resolved_by",
        "resolved_at",
        "rerun_of",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "client",
                    "source",
                    "status_label",
                    "trigger",
                    "triggered_by",
                    "requested_date",
                    "date_from",
                    "date_to",
                    "file_name",
                    "file_key",
                ]
            },
        ),
        (
            "Outcome",
            {
                "fields": [
                    "rows_read",
                    "rows_loaded",
                    "rows_failed",
                    "rows_replaced",
                    "message",
                    "warning_list",
                    "row_errors",
                ]
            },
        ),
        ("Timing", {"fields": ["started_at", "finished_at", "timings_table"]}),
        (
            "Resolution",
            {
                "fields": [
                    "resolution_status",
                    "resolution_notes",
                    "resolved_by",
                    "resolved_at",
                    "rerun_of",
                ]
            },
        ),
    ]
    change_form_template = "admin/ingestion/ingestionrun/change_form.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Status", ordering="status")
    def status_label(self, run: IngestionRun) -> str:
        return status_badge(run.status, run.get_status_display())

    @admin.display(description="Days", ordering="requested_date")
    def days(self, run: IngestionRun) -> str:
        if run.date_from:
            return self.date_span(run)
        return str(run.requested_date) if run.requested_date else "-"

    @admin.display(description="File", ordering="file_name")
    def file_shown(self, run: IngestionRun) -> str:
        name = run.file_name or ""
        if len(name) <= LIST_FILE_NAME_CHARS:
            return name or "-"
        return format_html('<span title="{}">{}…</span>', name, name[: LIST_FILE_NAME_CHARS - 1])

    @admin.display(description="Rows loaded", ordering="rows_loaded")
    def rows_shown(self, run: IngestionRun) -> str:
        text = f"{formatting.count(run.rows_loaded)} of {formatting.count(run.rows_read)}"
        if run.rows_failed:
            text += f", {formatting.count(run.rows_failed)} refused"
        return text

    @admin.display(description="Started", ordering="started_at")
    def started_shown(self, run: IngestionRun) -> str:
        return f"{timezone.localtime(run.started_at):%Y-%m-%d %H:%M}" if run.started_at else "-"

    @admin.display(description="Days in file")
    def date_span(self, run: IngestionRun) -> str:
        if not run.date_from:
            return "-"
        if run.date_from == run.date_to:
            return str(run.date_from)
        return f"{run.date_from} to {run.date_to}"

    @admin.display(description="Timings (s)")
    def timings_table(self, run: IngestionRun) -> str:
        if not run.timings:
            return "-"
        return format_html_join(", ", "{} {}", ((k, v) for k, v in run.timings.items()))

    @admin.display(description="Warnings")
    def warning_list(self, run: IngestionRun) -> str:
        if not run.warnings:
            return "-"
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((w,) for w in run.warnings))
        )

    @admin.display(description="Refused rows")
    def row_errors(self, run: IngestionRun) -> str:
        rows = refused_rows(run)
        if not rows:
            return "-"
        items = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td></tr>",
            ((row.row_number, "; ".join(row.problems)) for row in rows),
        )
        download = reverse("admin:ingestion_ingestionrun_errors", args=[run.pk])
        return format_html(
            "<table><thead><tr><th>Row</th><th>Problem</th></tr></thead><tbody>{}</tbody>"
            '</table><p><a href="{}">Download all {} refused rows as CSV</a></p>',
            items,
            download,
            run.rows_failed,
        )

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:run_id>/errors.csv",
                wrap(self.errors_csv),
                name="ingestion_ingestionrun_errors",
            ),
            path(
                "<int:run_id>/resolve/",
                wrap(self.resolve_view),
                name="ingestion_ingestionrun_resolve",
            ),
            path("<int:run_id>/rerun/", wrap(self.rerun_view), name="ingestion_ingestionrun_rerun"),
            *super().get_urls(),
        ]

    def errors_csv(self, request: HttpRequest, run_id: int) -> HttpResponse:
        """The refused rows with their errors and original cells, for fixing the file."""
        run = get_object_or_404(IngestionRun, pk=run_id)
        rows = refused_staging_rows(run)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        headers = [header for header in run.columns if not is_internal_column(header)]
        writer.writerow(["row", "errors", *headers])
        for row in rows.iterator():
            problems = "; ".join(f"{e['column']}: {e['message']}" for e in row.errors or [])
            cells = [row.raw.get(header) for header in headers]
            writer.writerow(
                [row.row_number, problems, *(defuse(str(cell or "")) for cell in cells)]
            )
        response = HttpResponse(buffer.getvalue(), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="run-{run.pk}-refused-rows.csv"'
        return response

    def resolve_view(self, request: HttpRequest, run_id: int) -> HttpResponse:
        run = get_object_or_404(IngestionRun, pk=run_id)
        form = ResolveForm(request.POST or None, initial={"notes": run.resolution_notes})
        if request.method == "POST" and form.is_valid():
            services.ingestion_run_resolve(
                run=run, notes=form.cleaned_data["notes"], by=acting_user(request.user)
            )
            messages.success(request, f"Run #{run.pk} marked as resolved.")
            return HttpResponseRedirect(
                reverse("admin:ingestion_ingestionrun_change", args=[run.pk])
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "run": run,
            "form": form,
            "title": f"Resolve run #{run.pk}",
        }
        return TemplateResponse(request, "admin/ingestion/ingestionrun/resolve.html", context)

    def rerun_view(self, request: HttpRequest, run_id: int) -> HttpResponse:
        run = get_object_or_404(IngestionRun, pk=run_id)
        if request.method != "POST":
            return HttpResponseRedirect(
                reverse("admin:ingestion_ingestionrun_change", args=[run.pk])
            )
        return self._rerun(request, [run])

    @admin.action(description="Re-run the selected runs")
    def rerun_runs(self, request: HttpRequest, queryset: QuerySet[IngestionRun]) -> Any:
        return self._rerun(request, list(queryset.select_related("client")))

    def _rerun(self, request: HttpRequest, runs: list[IngestionRun]) -> HttpResponse:
        """Queued (no long work in a request): the new run's page shows its outcome."""
        last = None
        for run in runs:
            try:
                queued = services.ingestion_run_rerun_queue(run=run, by=acting_user(request.user))
            except ValidationError as error:
                messages.error(request, f"Run #{run.pk}: {' '.join(error.messages)}")
                continue
            if isinstance(queued, IngestionRun):
                last = queued
                messages.success(
                    request,
                    f"Run #{run.pk}: re-run queued as run #{last.pk}; its page shows the "
                    "outcome once the task cluster has run it.",
                )
            else:
                messages.success(
                    request,
                    f"Run #{run.pk}: Vibe report request #{queued.pk} created; the task "
                    "cluster loads it as the API key's budget allows.",
                )
        if last is not None and len(runs) == 1:
            return HttpResponseRedirect(
                reverse("admin:ingestion_ingestionrun_change", args=[last.pk])
            )
        return HttpResponseRedirect(reverse("admin:ingestion_ingestionrun_changelist"))


@admin.register(BackfillJob)
class BackfillJobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "source",
        "start_date",
        "end_date",
        "status",
        "progress",
        "requested_by",
        "created_at",
    ]
    list_filter = ["status", "source"]
    readonly_fields = [
        "source",
        "start_date",
        "end_date",
        "status",
        "steps_total",
        "steps_done",
        "results",
        "message",
        "requested_by",
        "finished_at",
        "created_at",
    ]
    exclude = ["clients"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="Progress")
    def progress(self, job: BackfillJob) -> str:
        return f"{job.steps_done}/{job.steps_total} ({job.progress_percent} %)"


# Each source's admin (its connection, its models) lives with the source.
from ingestion.sources.facebook import admin as _facebook_admin  # noqa: E402,F401
from ingestion.sources.surfside import admin as _surfside_admin  # noqa: E402,F401
from ingestion.sources.vibe import admin as _vibe_admin  # noqa: E402,F401
