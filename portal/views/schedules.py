"""Scheduled reports in the portal: a client user lists, creates, edits and pauses their own
client's schedules. Recipients are their team only; outside addresses are for agency admins, who
manage every client's schedules in the admin (this page sends them there)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from clients.models import Client
from clients.scoping import get_scoped_or_404
from portal.views.base import ReportPageMixin
from scheduled_reports.forms import ScheduleForm
from scheduled_reports.models import ReportSchedule
from scheduled_reports.services import (
    OUTSIDE_FOR_ADMINS,
    parse_emails,
    schedule_pause,
    schedule_save,
)


class ScheduleMixin(ReportPageMixin):
    """Client users only: their one client; an admin is sent to the admin's schedules."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.user.is_admin:
            return HttpResponseRedirect(
                reverse("admin:scheduled_reports_reportschedule_changelist")
            )
        response: HttpResponseBase = super().dispatch(request, *args, **kwargs)
        return response

    @property
    def client(self) -> Client:
        client = self.clients.first()
        if client is None:
            raise Http404("Not found.")
        return client

    def scoped_schedule(self, pk: int) -> ReportSchedule:
        return get_scoped_or_404(
            ReportSchedule.objects.select_related("client"), self.user, "client", pk=pk
        )


def schedules_of(client: Client) -> QuerySet[ReportSchedule]:
    return (
        ReportSchedule.objects.filter(client=client)
        .prefetch_related("recipients")
        .annotate(last_sent_at=Max("deliveries__sent_at"))
        .order_by("name")
    )


class ScheduleListView(ScheduleMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "portal/schedules.html",
            {"nav": "schedules", "client": self.client, "schedules": schedules_of(self.client)},
        )


class ScheduleEditView(ScheduleMixin, View):
    """GET: the form (new, or the schedule's); POST: save through the service, or show why not."""

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        schedule = self.scoped_schedule(pk) if pk is not None else None
        initial = ScheduleForm.initial_of(schedule) if schedule else {"frequency": "week"}
        form = ScheduleForm(initial=initial, client=self.client)
        return self._page(request, form, schedule)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        schedule = self.scoped_schedule(pk) if pk is not None else None
        client = schedule.client if schedule else self.client
        form = ScheduleForm(request.POST, client=client)
        outside = request.POST.get("outside_emails", "").strip()
        if outside and not (schedule and parse_emails(outside) == schedule.outside_emails):
            # Only admins add outside addresses: refused whatever else the form says.
            form.add_error(None, OUTSIDE_FOR_ADMINS)
            return self._page(request, form, schedule, status=400)
        if not form.is_valid():
            return self._page(request, form, schedule, status=400)
        data = form.cleaned_data
        try:
            saved = schedule_save(
                client=client,
                name=data["name"],
                frequency=data["frequency"],
                sections=data["sections"],
                recipients=data["recipients"],
                outside_emails=None,
                is_active=data["is_active"],
                by=self.user,
                schedule=schedule,
            )
        except ValidationError as error:
            for field, field_errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, field_errors)
            return self._page(request, form, schedule, status=400)
        messages.success(request, f"Schedule \u201c{saved.name}\u201d saved.")
        return HttpResponseRedirect(reverse("schedules"))

    def _page(
        self,
        request: HttpRequest,
        form: ScheduleForm,
        schedule: ReportSchedule | None,
        status: int = 200,
    ) -> HttpResponse:
        return render(
            request,
            "portal/schedule_form.html",
            {"nav": "schedules", "client": self.client, "form": form, "schedule": schedule},
            status=status,
        )


class SchedulePauseView(ScheduleMixin, View):
    """POST only: pause or resume (``active=1``) one schedule."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        schedule = self.scoped_schedule(pk)
        active = request.POST.get("active") == "1"
        schedule_pause(schedule=schedule, is_active=active)
        state = "resumed" if active else "paused"
        messages.success(request, f"Schedule \u201c{schedule.name}\u201d {state}.")
        return HttpResponseRedirect(reverse("schedules"))
