"""The pacing page of one order: its figures and its cumulative delivered against expected."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.views.generic import TemplateView

from accounts.models import User
from clients.models import Client
from clients.scoping import get_scoped_or_404
from metrics.periods import DateRange
from pacing.chart import cumulative_chart_svg
from pacing.models import InsertionOrder
from pacing.panel import STATUS_LABELS
from pacing.selectors import cumulative_series, pacing_of
from portal.annotated import page_markers


class OrderPacingView(LoginRequiredMixin, TemplateView):
    template_name = "portal/insertion_order.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if not isinstance(user, User):
            raise Http404
        order = get_scoped_or_404(
            InsertionOrder.objects.select_related("client"), user, "client", pk=kwargs["pk"]
        )
        pacing = pacing_of([order])[order.pk]
        series = cumulative_series(pacing)
        money = pacing.paced_on == "spend"
        contracted = Decimal(
            (order.contracted_budget if money else order.contracted_impressions) or 0
        )
        markers = (
            page_markers(
                user=user,
                clients=Client.objects.filter(pk=order.client_id),
                date_range=DateRange(series[0].day, series[-1].day),
            )
            if series
            else []
        )
        context.update(
            markers=markers,
            order=order,
            client=order.client,
            pacing=pacing,
            figures=pacing.as_dict(),
            status_label=STATUS_LABELS[pacing.status],
            money=money,
            # Drawn at the size shown, like the trend (portal.trend): a phone gets a narrow one.
            chart=cumulative_chart_svg(series, contracted=contracted, money=money, markers=markers),
            chart_narrow=cumulative_chart_svg(
                series, contracted=contracted, money=money, markers=markers, width=360
            ),
        )
        return context
