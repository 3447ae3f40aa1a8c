"""CPMs in the admin lists are written as the portal writes money, not as stored (16.5000)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client as BrowserClient

from clients.models import CpmRate
from metrics.admin import cpm_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(admin_user):
    client = BrowserClient()
    client.force_login(admin_user)
    return client


def cells(page: str, field: str) -> list[str]:
    found = re.findall(rf'<t[dh] class="field-{field}[^"]*"[^>]*>(.*?)</t[dh]>', page, re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in found]


@pytest.fixture
def rates(client_a, client_b):
    """Both tenants from the same date; Acme at 16.50 since Nov 1, Borealis with a sub-cent
    rate."""
    CpmRate.objects.create(
        client=client_a, cpm=Decimal("16.5000"), effective_date=dt.date(2025, 11, 1)
    )
    CpmRate.objects.create(
        client=client_b, cpm=Decimal("12.3450"), effective_date=dt.date(2025, 11, 1)
    )


def test_the_cpm_rates_list_writes_rates_as_money(browser, rates):
    page = browser.get("/admin/clients/cpmrate/").content.decode()
    # Ordered by client name, newest rate first; the factory's 15.00 from 2020 under each.
    assert cells(page, "cpm_shown") == ["$16.50", "$15.00", "$12.345", "$15.00"]
    assert "16.5000" not in page


def test_the_clients_list_writes_the_current_cpm_as_money(browser, rates):
    page = browser.get("/admin/clients/client/").content.decode()
    assert cells(page, "current_cpm") == ["$16.50", "$12.345"]


def test_the_client_page_writes_its_cpm_history_as_money(browser, client_a, rates):
    page = browser.get(f"/admin/clients/client/{client_a.pk}/change/").content.decode()
    assert cells(page, "cpm_shown") == ["$16.50", "$15.00"]


def test_cpm_text_keeps_the_digits_a_rate_has_past_the_cents():
    assert [cpm_text(Decimal(v)) for v in ("16.5000", "1234.0000", "0.1234", "9.9990")] == [
        "$16.50",
        "$1,234.00",
        "$0.1234",
        "$9.999",
    ]
