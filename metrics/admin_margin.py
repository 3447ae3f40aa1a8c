"""The margin page of the admin: spend billed at each client's CPM against the cost the platform
reported, per client, source and month. Only agency admins reach it (``DashboardAdminSite``);
client users never see platform costs."""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from campaigns.models import Source
from clients.models import Client
from metrics.selectors.margin import MarginRow, margin_by_month, margin_total

DEFAULT_MONTHS = 6
MONTH_FORMAT = "%Y-%m"


def _month_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=[MONTH_FORMAT],
        widget=forms.DateInput(attrs={"type": "month"}, format=MONTH_FORMAT),
        error_messages={"invalid": "Use a month like 2026-03 (YYYY-MM)."},
    )


class MarginFilterForm(forms.Form):
    start = _month_field("From month")
    end = _month_field("To month")
    client = forms.ModelChoiceField(
        queryset=Client.objects.order_by("name"), required=False, empty_label="All clients"
    )
    source = forms.ChoiceField(choices=[("", "All sources"), *Source.choices], required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            raise forms.ValidationError("The first month is after the last one.")
        return cleaned


def _months_back(month: dt.date, count: int) -> dt.date:
    year, index = divmod(month.year * 12 + month.month - 1 - count, 12)
    return dt.date(year, index + 1, 1)


def _month_end(month: dt.date) -> dt.date:
    return _months_back(month, -1) - dt.timedelta(days=1)


def margin_view(request: HttpRequest, site: admin.AdminSite) -> HttpResponse:
    this_month = timezone.localdate().replace(day=1)
    default_start = _months_back(this_month, DEFAULT_MONTHS - 1)
    form = MarginFilterForm(
        request.GET or None, initial={"start": default_start, "end": this_month}
    )
    values: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    start = values.get("start") or default_start
    end = values.get("end") or this_month
    clients = Client.objects.all()
    if values.get("client"):
        clients = clients.filter(pk=values["client"].pk)
    rows = margin_by_month(
        clients=clients,
        start=start.replace(day=1),
        end=_month_end(end),
        source=values.get("source") or None,
    )
    groups = []
    for _, grouped in groupby(rows, key=lambda row: row.client_id):
        client_rows: list[MarginRow] = list(grouped)
        first = client_rows[0]
        groups.append(
            {
                "rows": client_rows,
                "total": margin_total(
                    client_rows, client_id=first.client_id, name=first.client_name
                ),
            }
        )
    context = {
        **site.each_context(request),
        "title": "Margin: billed spend vs platform cost",
        "form": form,
        "start": start,
        "end": end,
        "groups": groups,
        "grand_total": margin_total(rows, name="All clients") if rows else None,
        "source_labels": dict(Source.choices),
    }
    return TemplateResponse(request, "admin/metrics/margin.html", context)


def margin_urls(site: admin.AdminSite) -> list[Any]:
    from django.urls import path

    return [
        path(
            "metrics/margin/",
            site.admin_view(lambda request: margin_view(request, site)),
            name="metrics_margin",
        ),
    ]
