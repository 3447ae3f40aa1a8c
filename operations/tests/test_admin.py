"""The scheduled tasks' list in the admin, as an operator reads it."""

import datetime as dt

import pytest
from django.test import Client as BrowserClient
from django.utils import timezone

from reports.models import ScheduledRun, ScheduledRunStatus
from reports.tests.test_admin_lists import cells

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def browser(admin_user):
    client = BrowserClient()
    client.force_login(admin_user)
    return client


def test_scheduled_tasks_list_each_job_and_its_next_run_in_new_york_time(browser, monkeypatch):
    # Sunday Nov 29 2026, 07:00 in New York; the schedules were declared by migrate.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 11, 29, 12, 0, tzinfo=UTC))
    ScheduledRun.objects.create(
        job="surfside",
        intended_at=dt.datetime(2026, 11, 29, 10, 0, tzinfo=UTC),
        day=dt.date(2026, 11, 28),
        status=ScheduledRunStatus.DONE,
    )

    page = browser.get("/admin/django_q/schedule/").content.decode()

    rows = list(
        zip(
            cells(page, "job_name"),
            cells(page, "when"),
            cells(page, "next_run_local"),
            cells(page, "last_run"),
            strict=True,
        )
    )
    assert rows == [
        ("flush_tokens", "15 3 * * *", "Mon Nov 30 2026, 03:15 EST", "-"),
        ("lease_sweeper", "every minute", "every minute", "-"),
        ("monthly_summary", "0 5 1 * *", "Tue Dec 1 2026, 05:00 EST", "-"),
        ("pacing_alerts", "every minute", "every minute", "-"),
        ("partitions", "45 1 * * *", "Mon Nov 30 2026, 01:45 EST", "-"),
        ("retention", "30 2 * * *", "Mon Nov 30 2026, 02:30 EST", "-"),
        ("scheduled_reports", "20 * * * *", "Sun Nov 29 2026, 07:20 EST", "-"),
        ("summaries_catch_up", "every minute", "every minute", "-"),
        ("surfside", "0 5 * * *", "Mon Nov 30 2026, 05:00 EST", "Sun Nov 29 2026, 05:00 EST: Done"),
        ("vibe", "0 6 * * *", "Mon Nov 30 2026, 06:00 EST", "-"),
        ("vibe_advance", "every minute", "every minute", "-"),
        ("weekly_summary", "0 5 * * 1", "Mon Nov 30 2026, 05:00 EST", "-"),
    ]
    assert cells(page, "runs")[8] == "ingestion.tasks.surfside_daily"
    assert "When (America/New_York)" in page
