"""Import and export of clients and CPM history in the admin: every row through the services."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as BrowserClient
from import_export.formats.base_formats import CSV

from accounts.models import AuditAction, AuditLog
from campaigns.tests.factories import CreativeFactory
from clients.models import Client, CpmRate
from metrics.models import CampaignDayRollup
from metrics.resources import ClientResource, CpmRateResource
from metrics.tests.factories import DailyMetricFactory, rollups_built

pytestmark = pytest.mark.django_db


def dataset(csv_text: str):
    """The rows of a CSV file, read as the admin's import reads them."""
    return CSV().create_dataset(csv_text)


def errors_by_row(result) -> dict[int, dict[str, list[str]]]:
    """The validation errors of each refused row, by row number (from 1)."""
    return {row.number: row.error.message_dict for row in result.invalid_rows}


def test_new_clients_are_created_with_their_first_cpm_through_the_service(admin_user):
    result = ClientResource().import_data(
        dataset(
            "name,slug,status,cpm,cpm_effective_date\nDelta Dental,delta,active,11.25,2025-01-01\n"
        ),
        user=admin_user,
    )
    assert not result.has_errors() and not result.has_validation_errors()
    client = Client.objects.get(slug="delta")
    rate = client.cpm_rates.get()
    assert (rate.cpm, rate.effective_date, rate.set_by) == (
        Decimal("11.2500"),
        dt.date(2025, 1, 1),
        admin_user,
    )
    assert AuditLog.objects.filter(
        action=AuditAction.CREATE, entity_type="clients.Client", user=admin_user
    ).exists()


def test_bad_client_rows_are_reported_per_row_and_nothing_is_kept(admin_user, client_a):
    result = ClientResource().import_data(
        dataset(
            "name,slug,status,cpm,cpm_effective_date\n"
            "Echo Eyewear,echo,active,,2025-01-01\n"
            "Foxtrot Films,foxtrot,active,twelve,2025-01-01\n"
            "Golf Gear,golf,paused,9,2025-01-01\n"
            "Hotel Hub,hotel,active,-3,2025-01-01\n"
            "India Ink,india,active,5,01/02/2025\n"
        ),
        dry_run=True,
        user=admin_user,
    )
    errors = errors_by_row(result)
    assert errors[1] == {"cpm": ["A new client needs its first CPM."]}
    assert errors[2] == {"cpm": ["'twelve' is not a number; write the CPM like 15.00."]}
    assert errors[3] == {"status": ["Status must be one of: active, disabled."]}
    assert errors[4] == {"cpm": ["A CPM must be greater than zero."]}
    assert errors[5] == {"cpm_effective_date": ["'01/02/2025' is not a date; use YYYY-MM-DD."]}
    assert not Client.objects.exclude(pk=client_a.pk).exists()


def test_an_export_imports_back_unchanged(admin_user, client_a, client_b):
    exported = ClientResource().export()
    assert exported.headers == ["name", "slug", "status", "cpm", "cpm_effective_date"]
    assert ("Acme Foods", "acme", "active", "15.0000", "2020-01-01") in list(exported)
    result = ClientResource().import_data(dataset(exported.csv), user=admin_user)
    assert [row.import_type for row in result.rows] == ["skip", "skip"]


def test_a_new_rate_for_an_existing_client_is_added_and_reprices(
    admin_user, client_a, django_capture_on_commit_callbacks
):
    creative = CreativeFactory(placement__strategy__campaign__client=client_a)
    row = DailyMetricFactory(creative=creative, date=dt.date(2025, 6, 2), impressions=10_000)
    rollups_built(row)
    with django_capture_on_commit_callbacks(execute=True):
        result = CpmRateResource().import_data(
            dataset("client,effective_date,cpm,note\nacme,2025-06-01,20,Summer rate\n"),
            user=admin_user,
        )
    assert not result.has_validation_errors() and not result.has_errors()
    rate = CpmRate.objects.get(client=client_a, effective_date=dt.date(2025, 6, 1))
    assert (rate.cpm, rate.note, rate.set_by) == (Decimal("20.0000"), "Summer rate", admin_user)
    # Re-priced by cpm_rate_add: 10,000 impressions at 20 per thousand.
    assert CampaignDayRollup.objects.get().spend == Decimal("200.000000")
    audit = AuditLog.objects.get(action=AuditAction.CREATE, entity_type="clients.CpmRate")
    assert audit.new_values["days_repriced"] == "2025-06-01.."


def test_rate_rows_that_would_skip_the_preview_or_name_nobody_are_refused(admin_user, client_a):
    result = CpmRateResource().import_data(
        dataset(
            "client,effective_date,cpm,note\n"
            "acme,2020-01-01,99,\n"
            "nobody,2025-01-01,10,\n"
            "acme,,10,\n"
            "acme,2025-03-01,0,\n"
        ),
        user=admin_user,
    )
    errors = errors_by_row(result)
    assert errors[1]["cpm"][0].startswith(
        "Acme Foods already has a CPM of 15.0000 from 2020-01-01."
    )
    assert errors[2] == {"client": ["No client has the slug 'nobody'. Import the client first."]}
    assert errors[3] == {"effective_date": ["A rate needs the date it starts."]}
    assert errors[4] == {"cpm": ["A CPM must be greater than zero."]}
    assert list(CpmRate.objects.values_list("cpm", flat=True)) == [Decimal("15.0000")]


def test_the_admin_import_shows_row_errors_then_imports_through_the_services(admin_user):
    browser = BrowserClient()
    browser.force_login(admin_user)
    page = browser.get("/admin/clients/client/")
    assert "/admin/clients/client/import/" in page.content.decode()
    bad = SimpleUploadedFile(
        "clients.csv",
        b"name,slug,status,cpm,cpm_effective_date\nKilo Kites,kilo,active,,2025-01-01\n",
    )
    preview = browser.post(
        "/admin/clients/client/import/", {"resource": "0", "format": "0", "import_file": bad}
    )
    html = preview.content.decode()
    assert "A new client needs its first CPM." in html
    assert "Confirm import" not in html
    assert not Client.objects.filter(slug="kilo").exists()
    good = SimpleUploadedFile(
        "clients.csv",
        b"name,slug,status,cpm,cpm_effective_date\nKilo Kites,kilo,active,7.5,2025-01-01\n",
    )
    preview = browser.post(
        "/admin/clients/client/import/", {"resource": "0", "format": "0", "import_file": good}
    )
    html = preview.content.decode()
    assert "Confirm import" in html
    assert not Client.objects.filter(slug="kilo").exists()  # the dry run kept nothing
    confirm = {
        name: re.search(rf'name="{name}" value="([^"]*)"', html)[1]
        for name in ("import_file_name", "original_file_name", "format", "resource")
    }
    done = browser.post("/admin/clients/client/process_import/", confirm)
    assert done.status_code == 302
    assert Client.objects.get(slug="kilo").cpm_rates.get().cpm == Decimal("7.5000")


def test_cpm_history_exports_from_the_admin(admin_user, client_a):
    browser = BrowserClient()
    browser.force_login(admin_user)
    response = browser.post(
        "/admin/clients/cpmrate/export/",
        {
            "format": "0",
            "resource": "0",
            **{f"cpmrateresource_{name}": "on" for name in CpmRateResource.Meta.fields},
        },
    )
    assert response.status_code == 200, response.content.decode()[:500]
    assert response["Content-Type"].startswith("text/csv")
    assert "acme,2020-01-01,15.0000" in response.content.decode()
