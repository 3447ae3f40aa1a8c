"""The admin lists an operator reads daily, rendered as the agency admin sees them: figures
written as the portal writes them, schedules by job name with their next run in their zone."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client as BrowserClient

from reports.models import MetricArchive, PeriodType, Summary

pytestmark = pytest.mark.django_db

UTC = dt.UTC


@pytest.fixture
def browser(admin_user):
    client = BrowserClient()
    client.force_login(admin_user)
    return client


def cells(page: str, field: str) -> list[str]:
    """The text of every list cell of the column ``field``, top to bottom."""
    found = re.findall(rf'<t[dh] class="field-{field}[^"]*"[^>]*>(.*?)</t[dh]>', page, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in found]


def test_summaries_list_counts_and_money_as_the_portal_writes_them(browser, client_a, client_b):
    for client in (client_a, client_b):  # two tenants, same period
        Summary.objects.create(
            client=client,
            period_type=PeriodType.WEEK,
            start=dt.date(2025, 11, 3),
            end=dt.date(2025, 11, 9),
            previous_start=dt.date(2025, 10, 27),
            previous_end=dt.date(2025, 11, 2),
            impressions=502575,
            conversions=1234,
            spend=Decimal("8292.487500"),
            generated_at=dt.datetime(2025, 11, 10, 10, 0, tzinfo=UTC),
        )
    page = browser.get("/admin/reports/summary/").content.decode()
    assert cells(page, "impressions_text") == ["502,575", "502,575"]
    assert cells(page, "conversions_text") == ["1,234", "1,234"]
    assert cells(page, "spend_text") == ["$8,292.49", "$8,292.49"]
    assert "8292.487500" not in page


def test_archives_list_counts_and_money_as_the_portal_writes_them(browser, client_a):
    MetricArchive.objects.create(
        client=client_a,
        month=dt.date(2024, 9, 1),
        file_name="archive/acme/2024-09.csv.gz",
        rows=15000,
        impressions=7250000,
        spend=Decimal("108750.5"),
    )
    page = browser.get("/admin/reports/metricarchive/").content.decode()
    assert cells(page, "rows_text") == ["15,000"]
    assert cells(page, "impressions_text") == ["7,250,000"]
    assert cells(page, "spend_text") == ["$108,750.50"]
