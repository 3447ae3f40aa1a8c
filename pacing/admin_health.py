"""The "orders under pace" column of the admin's ingestion health page.

The health page belongs to ingestion, which knows nothing of pacing; the admin site (project
wiring, above both) wraps the page's view with ``with_orders_under_pace``, which adds each
client's count to the rows before the page renders.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone

from clients.models import Client
from pacing.selectors import orders_under_pace


def with_orders_under_pace(
    view: Callable[..., HttpResponse],
) -> Callable[..., HttpResponse]:
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if not isinstance(response, TemplateResponse) or not response.context_data:
            return response
        rows = response.context_data.get("rows") or []
        client_ids = {row["health"].client.pk for row in rows}
        counts = orders_under_pace(
            clients=Client.objects.filter(pk__in=client_ids), today=timezone.localdate()
        )
        orders_url = reverse("admin:pacing_insertionorder_changelist")
        for row in rows:
            client_id = row["health"].client.pk
            row["orders_under_pace"] = counts.get(client_id, 0)
            row["orders_url"] = f"{orders_url}?client__id__exact={client_id}"
        response.context_data["pacing_column"] = True
        return response

    return wrapped
