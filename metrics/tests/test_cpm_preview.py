"""The CPM impact preview (SPEC 4, issue 12): in the admin form and in the import alike, per
month the old and new rate and spend with their currency, the closed periods the change would
restate and whether their summary was sent; nothing is applied before confirmation.

Acme (tests/two_tenants.py): $15 from 2020, $20 from Nov 2, 2025; Nov 1 1,000 imps, Nov 2 2,000,
Nov 3 3,000: November $15 + $40 + $60 = $115. A rate of $25 from Nov 3 makes Nov 3 $75:
November $130 (+$15), the week of Nov 3-9 $60 -> $75. Borealis shares the names and dates.
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as BrowserClient

from clients.models import CpmRate
from metrics.cpm_impact import cpm_impact
from metrics.models import CampaignDayRollup, Restatement
from reports.models import PeriodType
from reports.services import summary_generate, summary_record_sent

pytestmark = pytest.mark.django_db

NOV_3 = dt.date(2025, 11, 3)


@pytest.fixture
def sent(two_tenants):
    """Acme's summary of the week of Nov 3 went out; November's did not."""
    summary_record_sent(
        summary_generate(client=two_tenants.client_a, period_type=PeriodType.WEEK, start=NOV_3)
    )
    return two_tenants


@pytest.fixture
def browser(admin_user):
    page = BrowserClient()
    page.force_login(admin_user)
    return page


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def rates_of(client):
    return sorted(CpmRate.objects.filter(client=client).values_list("effective_date", "cpm"))


def spend_of(client):
    return sum(r.spend for r in CampaignDayRollup.objects.filter(client=client))


def test_the_impact_per_month_and_closed_period(sent):
    a = sent.client_a
    impact = cpm_impact(client_id=a.pk, rates=[*rates_of(a), (NOV_3, Decimal("25.00"))])
    [november] = impact.months
    assert (november.month, november.old_rates, november.new_rates) == (
        dt.date(2025, 11, 1),
        (Decimal("20.0000"),),
        (Decimal("25.00"),),
    )
    assert (november.current_spend, november.new_spend, november.difference) == (
        Decimal(115),
        Decimal(130),
        Decimal(15),
    )
    assert [
        (p.period_type, p.start, p.end, p.current_spend, p.new_spend, p.summary_sent)
        for p in impact.closed
    ] == [
        ("month", dt.date(2025, 11, 1), dt.date(2025, 11, 30), Decimal(115), Decimal(130), False),
        ("week", NOV_3, dt.date(2025, 11, 9), Decimal(60), Decimal(75), True),
    ]


def test_the_admin_form_previews_and_applies_nothing_until_confirmed(
    sent, browser, django_capture_on_commit_callbacks
):
    a = sent.client_a
    before_rates, before_spend = rates_of(a), spend_of(a)
    form = {"client": a.pk, "cpm": "25.00", "effective_date": "2025-11-03", "note": ""}
    preview = browser.post("/admin/clients/cpmrate/add/", form)
    assert preview.status_code == 200
    shown = text(preview.content.decode())
    assert "A CPM of $25.00 from Nov 3, 2025 for Acme Foods" in shown
    assert "November 2025 $20.00 $25.00 $115.00 $130.00 +$15.00" in shown
    assert "Month November 2025 $115.00 $130.00 +$15.00 No" in shown
    assert "Week Nov 3\u20139 $60.00 $75.00 +$15.00 Yes, already sent" in shown
    # Nothing applied: no rate, no re-pricing, no restatement.
    assert (rates_of(a), spend_of(a)) == (before_rates, before_spend)
    assert not Restatement.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):  # the queued re-pricing runs
        done = browser.post("/admin/clients/cpmrate/add/", {**form, "_confirmed": "1"})
    assert done.status_code == 302
    assert spend_of(a) == before_spend + 15
    assert Restatement.objects.filter(client=a).count() == 2
    assert not Restatement.objects.filter(client=sent.client_b).exists()


def test_the_import_confirm_page_shows_the_impact_and_applies_nothing(
    sent, browser, django_capture_on_commit_callbacks
):
    a = sent.client_a
    before_rates, before_spend = rates_of(a), spend_of(a)
    csv = SimpleUploadedFile(
        "rates.csv", b"client,effective_date,cpm,note\nacme,2025-11-03,25.00,\n"
    )
    preview = browser.post(
        "/admin/clients/cpmrate/import/", {"resource": "0", "format": "0", "import_file": csv}
    )
    html = preview.content.decode()
    shown = text(html)
    assert "Confirm import" in shown
    assert "November 2025 $20.00 $25.00 $115.00 $130.00 +$15.00" in shown
    assert "Week Nov 3\u20139 $60.00 $75.00 +$15.00 Yes, already sent" in shown
    assert (rates_of(a), spend_of(a)) == (before_rates, before_spend)
    assert not Restatement.objects.exists()

    confirm = {
        name: re.search(rf'name="{name}" value="([^"]*)"', html)[1]
        for name in ("import_file_name", "original_file_name", "format", "resource")
    }
    with django_capture_on_commit_callbacks(execute=True):  # the queued re-pricing runs
        assert browser.post("/admin/clients/cpmrate/process_import/", confirm).status_code == 302
    assert spend_of(a) == before_spend + 15
    assert Restatement.objects.filter(client=a, measure="spend").count() == 2
