"""The right account (SPEC 9): an export from another advertiser's ad account is refused, naming
both, before anything is written; the first upload records the account; admins add accounts;
exports without an account column pass, marked "account unknown"."""

import datetime as dt

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as BrowserClient
from django.utils import timezone

from ingestion.models import FacebookAdAccount, RunStatus, StagingRow, UploadStatus
from ingestion.sources.facebook.ad_accounts import ACCOUNT_UNKNOWN
from ingestion.sources.facebook.services import facebook_upload_create
from metrics.models import CampaignDayRollup, DailyMetric

pytestmark = pytest.mark.django_db

DAY = timezone.localdate() - dt.timedelta(days=2)


def export(account="Acme Foods Ads", account_id=None, campaign="Autumn"):
    header = "Account name,Day,Campaign name,Ad set name,Ad name,Impressions,Link clicks\n"
    row = f"{account},{DAY},{campaign},Prospecting,Ad 1,1000,3\n"
    if account_id is not None:
        header = "Account ID," + header
        row = f"{account_id}," + row
    if account is None:
        header = header.replace("Account name,", "")
        row = row.replace("None,", "")
    return header + row


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    def upload(user, content, name="meta.csv"):
        with django_capture_on_commit_callbacks(execute=True):
            return facebook_upload_create(
                client=user.client, upload=SimpleUploadedFile(name, content.encode()), by=user
            )

    return upload


def test_the_first_upload_records_the_account_and_another_account_is_refused(user_a, upload):
    first = upload(user_a, export())
    assert first.status == UploadStatus.LOADED
    assert list(FacebookAdAccount.objects.values_list("client", "name", "account_id")) == [
        (user_a.client_id, "Acme Foods Ads", "")
    ]
    rows_before = DailyMetric.objects.count()
    rollups_before = CampaignDayRollup.objects.count()

    foreign = upload(user_a, export(account="Other Advertiser", campaign="Not ours"), "x.csv")

    assert foreign.status == UploadStatus.FAILED
    assert foreign.run.message == (
        "This export is from the ad account 'Other Advertiser', not Acme Foods's "
        "('Acme Foods Ads'), so nothing was loaded. If it is Acme Foods's, ask the agency to add "
        "the account to the client, then upload the file again."
    )
    assert foreign.run.refused and foreign.run.status == RunStatus.FAILED
    # Refused before anything was written: no rows, no staging, no alert.
    assert DailyMetric.objects.count() == rows_before
    assert CampaignDayRollup.objects.count() == rollups_before
    assert not StagingRow.objects.filter(run=foreign.run).exists()
    assert mail.outbox == []
    page = BrowserClient()
    page.force_login(user_a)
    assert "Other Advertiser" in page.get(f"/uploads/{foreign.pk}/").content.decode()


def test_an_admin_adds_the_account_and_the_file_loads(user_a, admin_user, upload):
    upload(user_a, export())
    browser = BrowserClient()
    browser.force_login(admin_user)
    response = browser.get(f"/admin/clients/client/{user_a.client_id}/change/")
    assert response.status_code == 200 and "Facebook ad account" in response.content.decode()
    FacebookAdAccount.objects.create(client=user_a.client, name="Acme Travel", added_by=admin_user)

    second = upload(user_a, export(account="ACME TRAVEL ", campaign="Second"), "second.csv")

    assert second.status == UploadStatus.LOADED
    assert DailyMetric.objects.filter(campaign__name="Second").count() == 1


def test_ids_match_when_the_export_carries_them(user_a, upload):
    FacebookAdAccount.objects.create(client=user_a.client, name="Acme", account_id="1234567")
    renamed = upload(user_a, export(account="Acme (renamed)", account_id="1234567"))
    assert renamed.status == UploadStatus.LOADED
    other = upload(user_a, export(account="Acme", account_id="999", campaign="Other"), "o.csv")
    assert other.status == UploadStatus.FAILED
    assert "'Acme' (ID 999), not Acme Foods's ('Acme' (ID 1234567))" in other.run.message


def test_another_clients_accounts_do_not_count(user_a, user_b, upload):
    FacebookAdAccount.objects.create(client=user_b.client, name="Acme Foods Ads")
    FacebookAdAccount.objects.create(client=user_a.client, name="Acme Own")
    refused = upload(user_a, export(account="Acme Foods Ads"))
    assert refused.status == UploadStatus.FAILED


def test_an_export_without_an_account_column_passes_marked_account_unknown(user_a, upload):
    FacebookAdAccount.objects.create(client=user_a.client, name="Acme Foods Ads")
    loaded = upload(user_a, export(account=None))
    assert loaded.status == UploadStatus.LOADED
    assert loaded.run.warnings == [ACCOUNT_UNKNOWN]
    assert FacebookAdAccount.objects.count() == 1


def test_an_account_id_stored_as_a_number_in_excel_matches_the_same_id_in_a_csv(user_a, upload):
    """Excel keeps an account id as a number; with a totals row (no id) the column reads as
    decimals. The id recorded must be 123456789, which a CSV of the same account then matches."""
    from io import BytesIO

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "Account ID",
            "Account name",
            "Day",
            "Campaign name",
            "Ad set name",
            "Ad name",
            "Impressions",
            "Link clicks",
        ]
    )
    sheet.append([None, None, None, None, None, None, 1000, 3])  # Meta's totals row
    sheet.append([123456789, "Acme Foods Ads", DAY, "Autumn", "Prospecting", "Ad 1", 1000, 3])
    content = BytesIO()
    workbook.save(content)

    with_excel = facebook_upload_create(
        client=user_a.client,
        upload=SimpleUploadedFile("meta.xlsx", content.getvalue()),
        by=user_a,
    )

    assert with_excel.status == UploadStatus.LOADED
    assert list(FacebookAdAccount.objects.values_list("account_id", flat=True)) == ["123456789"]
    again = upload(user_a, export(account_id="123456789", campaign="Winter"), "again.csv")
    assert again.status == UploadStatus.LOADED
