"""The ingestion health page of the admin: which clients have stale or broken data, and the
buttons that fix it (re-run the last run, backfill the missing days).

Views only: the reads are ``ingestion.selectors.ingestion_health``, the writes the ingestion
services. ``DashboardAdminSite`` wraps them in ``admin_view`` (admins only, CSRF, no cache).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from accounts.models import acting_user
from campaigns.models import Source
from clients.models import Client, ClientStatus
from ingestion import services
from ingestion.backfill import backfill_create
from ingestion.models.runs import IngestionRun
from ingestion.selectors import HEALTH_LABELS, Health, health_window, ingestion_health
from ingestion.tasks import queue
from metrics.formatting import day_spans

HEALTH_ORDER = [Health.FAILING, Health.MISSING_DAYS, Health.OK, Health.NOT_SET_UP]


def health_view(request: HttpRequest, site: admin.AdminSite) -> HttpResponse:
    """Every active client x source, problems first when asked (``?problems=1``)."""
    today = timezone.localdate()
    rows = ingestion_health(
        clients=Client.objects.filter(status=ClientStatus.ACTIVE),
        sources=list(Source.values),
        today=today,
    )
    counts = Counter(row.health for row in rows)
    problems_only = request.GET.get("problems") == "1"
    if problems_only:
        rows = [row for row in rows if row.health in (Health.FAILING, Health.MISSING_DAYS)]
    runs_url = reverse("admin:ingestion_ingestionrun_changelist")
    context = {
        **site.each_context(request),
        "title": "Ingestion health",
        "window": health_window(today),
        "problems_only": problems_only,
        "summary": [
            {"key": health.value, "label": HEALTH_LABELS[health], "count": counts[health]}
            for health in HEALTH_ORDER
        ],
        "rows": [
            {
                "health": row,
                "source_label": Source(row.source).label,
                "missing_spans": day_spans(row.missing_days),
                "runs_url": f"{runs_url}?client__id__exact={row.client.pk}"
                f"&source__exact={row.source}",
                "run_url": reverse("admin:ingestion_ingestionrun_change", args=[row.last_run.pk])
                if row.last_run
                else None,
                "connection": _connection_label(row.connected),
            }
            for row in rows
        ],
    }
    return TemplateResponse(request, "admin/ingestion/health.html", context)


def _connection_label(connected: bool | None) -> str:
    if connected is None:
        return "Uploads"
    return "Connected" if connected else "No connection"


@require_POST
def health_rerun(request: HttpRequest, run_id: int) -> HttpResponse:
    """Repeat a run from the health page and come back to it with the outcome."""
    run = get_object_or_404(IngestionRun.objects.select_related("client"), pk=run_id)
    try:
        new = services.ingestion_run_rerun_queue(run=run, by=acting_user(request.user))
    except ValidationError as error:
        messages.error(request, f"Run #{run.pk}: {' '.join(error.messages)}")
    else:
        # Queued (no long work in a request): the new run's page shows the outcome.
        if isinstance(new, IngestionRun):
            message = format_html(
                '{} {}: re-run queued as <a href="{}">run #{}</a>; its page shows the outcome '
                "once the task cluster has run it.",
                run.client,
                Source(run.source).label,
                reverse("admin:ingestion_ingestionrun_change", args=[new.pk]),
                new.pk,
            )
        else:
            message = format_html(
                "{} {}: Vibe report request #{} created; the task cluster loads it as the API "
                "key's budget allows.",
                run.client,
                Source(run.source).label,
                new.pk,
            )
        messages.success(request, message)
    return HttpResponseRedirect(reverse("admin:ingestion_health"))


@require_POST
def health_backfill(request: HttpRequest, client_id: int, source: str) -> HttpResponse:
    """Queue a backfill over the client's missing days of the window, in the task queue."""
    client = get_object_or_404(Client, pk=client_id)
    if source not in (Source.SURFSIDE, Source.VIBE):
        messages.error(request, "Only Surfside and Vibe data can be pulled again.")
        return HttpResponseRedirect(reverse("admin:ingestion_health"))
    row = next(
        health
        for health in ingestion_health(
            clients=Client.objects.filter(pk=client.pk),
            sources=[source],
            today=timezone.localdate(),
        )
    )
    if not row.missing_days:
        messages.info(request, f"{client} {Source(source).label}: no day is missing any more.")
        return HttpResponseRedirect(reverse("admin:ingestion_health"))
    try:
        job = backfill_create(
            source=source,
            clients=[client],
            start=row.missing_days[0],
            end=row.missing_days[-1],
            by=acting_user(request.user),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return HttpResponseRedirect(reverse("admin:ingestion_health"))
    queue("ingestion.tasks.run_backfill", job.pk)
    messages.success(
        request,
        format_html(
            '{} {}: <a href="{}">backfill #{}</a> of {} to {} queued; days already loaded are '
            "replaced with the same data.",
            client,
            Source(source).label,
            reverse("admin:ingestion_backfilljob_change", args=[job.pk]),
            job.pk,
            job.start_date,
            job.end_date,
        ),
    )
    return HttpResponseRedirect(reverse("admin:ingestion_health"))


def health_urls(site: admin.AdminSite) -> list[Any]:
    """The health page's URLs, wrapped by the admin site (admins only)."""
    from django.urls import path

    return [
        path(
            "ingestion/health/",
            site.admin_view(lambda request: health_view(request, site)),
            name="ingestion_health",
        ),
        path(
            "ingestion/health/rerun/<int:run_id>/",
            site.admin_view(health_rerun),
            name="ingestion_health_rerun",
        ),
        path(
            "ingestion/health/backfill/<int:client_id>/<str:source>/",
            site.admin_view(health_backfill),
            name="ingestion_health_backfill",
        ),
    ]
