"""What every report page shares: login, the clients in scope, and the range/source filters.

Scoping goes through ``clients.scoping`` only: the clients are resolved first, so a ``client_id``
the user may not see is a 404 before anything else is read or validated.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from campaigns.models import Source
from clients.models import Client
from clients.scoping import clients_in_scope, visible_clients
from ingestion.availability import sources_in_use
from metrics.comparison import COMPARISON_CHOICES
from metrics.periods import (
    DateRange,
    detail_archived_message,
    detail_kept_from,
    detail_window_start,
)
from portal.filters import ReportFilterForm, ReportFilters, read_filters
from portal.ranges import presets
from reports.charts import chart_measures


def requested_client_id(request: HttpRequest) -> int | None:
    """The ``client_id`` of the URL as a number (scoping has already refused a bad one)."""
    value = request.GET.get("client_id")
    return int(value) if value else None


def archived_note(date_range: DateRange) -> str | None:
    """The note of a page (served from the rollups) whose range reaches into archived detail."""
    if date_range.start >= detail_window_start(timezone.localdate()):
        return None  # nothing in the range can have been archived: no query
    kept_from = detail_kept_from()
    if kept_from is None or date_range.start >= kept_from:
        return None
    return detail_archived_message(kept_from)


class ReportPageMixin(LoginRequiredMixin):
    """Login required; ``clients`` are the clients in scope, ``filters`` the slice shown."""

    request: HttpRequest
    # A page that reads the detail below campaigns: its range may not reach archived months.
    detail_only: ClassVar[bool] = False

    @cached_property
    def user(self) -> User:
        user = self.request.user
        assert isinstance(user, User)
        return user

    @cached_property
    def clients(self) -> QuerySet[Client]:
        return clients_in_scope(self.user, self.request.GET.get("client_id"))

    @cached_property
    def _filters_and_form(self) -> tuple[ReportFilters, ReportFilterForm]:
        _ = self.clients  # a foreign client_id is a 404 before any form error
        return read_filters(
            self.request.GET, requested_client_id(self.request), detail=self.detail_only
        )

    @property
    def filters(self) -> ReportFilters:
        return self._filters_and_form[0]

    @property
    def chart_picked(self) -> str | None:
        """The chart's measures the person picked (``?chart=``), kept when the range changes;
        None when they picked none (the chart's default)."""
        picked = ",".join(self.request.GET.getlist("chart"))
        return ",".join(chart_measures(picked)) if picked else None

    def shown_client(self) -> Client | None:
        """The one client the page is about, or None when an admin looks at every client."""
        if self.user.is_admin and requested_client_id(self.request) is None:
            return None
        return self.clients.first()

    def _source_choices(self, filters: ReportFilters) -> list[tuple[str, str]]:
        """The clients' own sources (and the one the URL asked for), for the source filter."""
        sources = sources_in_use(clients=self.clients)
        if filters.source and filters.source not in sources:
            sources.append(filters.source)
        return [("", "All sources")] + [
            (source.value, source.label) for source in Source if source.value in sources
        ]

    def report_context(self, filters: ReportFilters, *, whole_scope: bool) -> dict[str, Any]:
        """The filter form and the range presets of a page showing ``filters``.

        ``whole_scope`` pages (the dashboard) also filter by source and, for admins, pick the
        client; a drill-down page is about one object, so only its range can change.
        """
        form = self._filters_and_form[1]
        choices = (
            list(visible_clients(self.user).values_list("pk", "name"))
            if self.user.is_admin and whole_scope
            else []
        )
        preset_links = [
            {
                "label": preset.label,
                "query": filters.query(
                    start_date=preset.date_range.start,
                    end_date=preset.date_range.end,
                    chart=self.chart_picked,
                ),
                "active": preset.date_range == filters.date_range,
            }
            for preset in presets(timezone.localdate())
        ]
        return {
            "nav": "dashboard",
            "show_source_filter": whole_scope,
            "source_choices": self._source_choices(filters) if whole_scope else [],
            "client_choices": choices,
            "filters": filters,
            "filter_form": form,
            "date_range": filters.date_range,
            "presets": preset_links,
            "chart_picked": self.chart_picked,
            "custom_range": not any(link["active"] for link in preset_links),
            "archived_note": archived_note(filters.date_range),
            # Every report page shows changes: each may pick what they compare with.
            "comparison_choices": COMPARISON_CHOICES,
        }
