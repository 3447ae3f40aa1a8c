"""The ingestion and CPM pages of the admin, driven as an admin would."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client as BrowserClient

from accounts.models import AuditAction, AuditLog
from clients.models import CpmRate
from ingestion.models import IngestionRun, ResolutionStatus
from ingestion.pipeline import run_ingestion
from ingestion.tests.helpers import row, surfside_csv
from metrics.models import CampaignDayRollup

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(admin_user):
    client = BrowserClient()
    client.force_login(admin_user)
    return client


@pytest.fixture
def partial_run(client_a):
    return run_ingestion(
        client=client_a,
        source="surfside",
        file_name="d.csv",
        content=surfside_csv(row(), row(creative="=cmd()", impressions="-1")),
    )


def test_the_run_page_shows_refused_rows_warnings_and_timings(browser, partial_run):
    page = browser.get(f"/admin/ingestion/ingestionrun/{partial_run.pk}/change/").content.decode()
    assert "Partial" in page
    assert "Impressions: is negative (-1)" in page
    assert "Download all 1 refused rows as CSV" in page
    assert "parse" in page and "load" in page


def test_refused_rows_download_as_a_defused_csv(browser, partial_run):
    response = browser.get(f"/admin/ingestion/ingestionrun/{partial_run.pk}/errors.csv")
    assert response["Content-Type"] == "text/csv"
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("row,errors,Strategy Name,Placement Name,Creative Name")
    assert lines[1].startswith("3,Impressions: is negative (-1),Prospecting,Top,'=cmd()")


def test_runs_are_listed_with_filters(browser, partial_run):
    page = browser.get("/admin/ingestion/ingestionrun/?status__exact=partial").content.decode()
    assert f">{partial_run.pk}<" in page
    assert (
        browser.get("/admin/ingestion/ingestionrun/?status__exact=failed")
        .content.decode()
        .count('class="field-id"')
        == 0
    )


def test_resolving_a_run_records_notes_and_who(browser, partial_run, admin_user):
    response = browser.post(
        f"/admin/ingestion/ingestionrun/{partial_run.pk}/resolve/",
        {"notes": "Row fixed at the source"},
    )
    assert response.status_code == 302
    partial_run.refresh_from_db()
    assert partial_run.resolution_status == ResolutionStatus.RESOLVED
    assert (partial_run.resolution_notes, partial_run.resolved_by) == (
        "Row fixed at the source",
        admin_user,
    )
    assert AuditLog.objects.filter(action=AuditAction.RESOLVE).exists()


def test_rerun_of_a_local_file_run_explains_why_not(browser, partial_run):
    response = browser.post(f"/admin/ingestion/ingestionrun/{partial_run.pk}/rerun/", follow=True)
    assert "cannot be re-run: its input is not kept" in response.content.decode()
    assert IngestionRun.objects.count() == 1


def day_spend(day):
    # Spend is derived: the day's rollup holds it (one campaign here).
    return CampaignDayRollup.objects.get(date=day).spend


def test_adding_a_cpm_rate_previews_the_impact_then_reprices(
    browser, client_a, django_capture_on_commit_callbacks
):
    run_ingestion(
        client=client_a,
        source="surfside",
        file_name="d.csv",
        content=surfside_csv(
            row(date="11/3/2025", impressions="10000"), row(date="12/1/2025", impressions="20000")
        ),
    )
    form = {"client": client_a.pk, "cpm": "20.00", "effective_date": "2025-12-01", "note": ""}
    preview = browser.post("/admin/clients/cpmrate/add/", form)
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "December 2025" in page and "November 2025" not in page
    # Old and new rate and spend, with their currency (issue 12).
    assert re.search(r"\$15\.00.*?\$20\.00.*?\$300\.00.*?\$400\.00.*?\+\$100\.00", page, re.S)
    assert not CpmRate.objects.filter(effective_date=dt.date(2025, 12, 1)).exists()
    assert day_spend(dt.date(2025, 12, 1)) == Decimal("300")

    with django_capture_on_commit_callbacks(execute=True):  # the queued re-pricing runs
        confirmed = browser.post("/admin/clients/cpmrate/add/", {**form, "_confirmed": "1"})
    assert confirmed.status_code == 302
    assert day_spend(dt.date(2025, 12, 1)) == Decimal("400")
    assert day_spend(dt.date(2025, 11, 3)) == Decimal("150")


def test_removing_a_cpm_rate_previews_then_falls_back(
    browser, client_a, admin_user, django_capture_on_commit_callbacks
):
    from metrics.tests.queued import cpm_rate_add

    run_ingestion(
        client=client_a,
        source="surfside",
        file_name="d.csv",
        content=surfside_csv(row(date="12/1/2025", impressions="20000")),
    )
    rate = cpm_rate_add(
        client=client_a, cpm=Decimal("20"), effective_date=dt.date(2025, 12, 1), by=admin_user
    )
    preview = browser.post(f"/admin/clients/cpmrate/{rate.pk}/delete/", {"post": "yes"})
    assert "Remove and re-price" in preview.content.decode()
    assert CpmRate.objects.filter(pk=rate.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(
            f"/admin/clients/cpmrate/{rate.pk}/delete/", {"post": "yes", "_confirmed": "1"}
        )
    assert not CpmRate.objects.filter(pk=rate.pk).exists()
    assert CampaignDayRollup.objects.get().spend == Decimal("300")


def test_the_client_page_edits_the_surfside_connection_through_the_service(browser, client_a):
    data = {
        "name": client_a.name,
        "slug": client_a.slug,
        "cpm_rates-TOTAL_FORMS": "1",
        "cpm_rates-INITIAL_FORMS": "1",
        "cpm_rates-MIN_NUM_FORMS": "0",
        "cpm_rates-MAX_NUM_FORMS": "1000",
        "cpm_rates-0-id": client_a.cpm_rates.get().pk,
        "cpm_rates-0-client": client_a.pk,
        "surfside_connection-TOTAL_FORMS": "1",
        "surfside_connection-INITIAL_FORMS": "0",
        "surfside_connection-MIN_NUM_FORMS": "0",
        "surfside_connection-MAX_NUM_FORMS": "1",
        "surfside_connection-0-bucket": "deliveries",
        "surfside_connection-0-prefix": "acme/",
        "surfside_connection-0-file_pattern": "{date:%Y%m%d}.csv",
        "surfside_connection-0-campaign_name": "Always on",
        "surfside_connection-0-is_enabled": "on",
        # An admin adds the ad account whose Meta exports belong to the client.
        "facebook_ad_accounts-TOTAL_FORMS": "1",
        "facebook_ad_accounts-INITIAL_FORMS": "0",
        "facebook_ad_accounts-MIN_NUM_FORMS": "0",
        "facebook_ad_accounts-MAX_NUM_FORMS": "1000",
        "facebook_ad_accounts-0-name": "Acme Foods Ads",
        "facebook_ad_accounts-0-account_id": "1234567",
    }
    response = browser.post(f"/admin/clients/client/{client_a.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    client_a.refresh_from_db()
    assert client_a.surfside_connection.file_pattern == "{date:%Y%m%d}.csv"
    assert list(client_a.facebook_ad_accounts.values_list("name", "account_id")) == [
        ("Acme Foods Ads", "1234567")
    ]
    assert AuditLog.objects.filter(entity_type="ingestion.SurfsideConnection").exists()
