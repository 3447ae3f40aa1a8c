"""Server-rendered pages for client users (and admins looking at a client)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.generic import TemplateView

from accounts.models import User
from clients.scoping import clients_in_scope
from metrics.selectors import totals


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("dashboard")


def _parse_day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


class DashboardView(LoginRequiredMixin, TemplateView):
    template_name = "reports/dashboard.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        assert isinstance(user, User)
        clients = clients_in_scope(user, self.request.GET.get("client_id"))
        today = timezone.localdate()
        end = _parse_day(self.request.GET.get("end_date")) or today - dt.timedelta(days=1)
        start = _parse_day(self.request.GET.get("start_date")) or end - dt.timedelta(days=29)
        context.update(
            clients=clients,
            client=clients.first() if clients.count() == 1 else None,
            start=start,
            end=end,
            totals=totals(clients=clients, start=start, end=end),
        )
        return context
