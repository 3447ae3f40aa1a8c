"""Inputs a hostile probe sent: each gets a clear 400 (or command error), never a 500, and
nothing is written."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from clients.models import Client, CpmRate
from clients.services import client_create
from ingestion.models import BackfillJob, IngestionRun, SurfsideConnection
from metrics.cpm import cpm_rate_add

pytestmark = pytest.mark.django_db

DEEP_JSON = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("url", ["/api/v1/auth/login", "/api/v1/auth/refresh"])
def test_deeply_nested_json_is_a_400(url):
    response = APIClient().post(url, data=DEEP_JSON, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - the document is nested too deeply."}


@pytest.mark.parametrize(
    "query",
    [
        "admin/audit-logs?username=a%00b",
        "admin/audit-logs?action=x%00",
        "admin/audit-logs?entity_type=x%00",
        "admin/ingestion-logs?status=x%00",
        "admin/ingestion-logs?source=x%00",
        "clients?client_id=1%00",
    ],
)
def test_nul_characters_in_api_filters_are_a_400(api, admin_user, query):
    response = api(admin_user).get(f"/api/v1/{query}")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "The query string contains a NUL character (%00); remove it."
    }


def test_nul_characters_in_a_page_query_are_a_400(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/admin/accounts/auditlog/?q=a%00b")
    assert response.status_code == 400
    assert response.content == b"The query string contains a NUL character (%00); remove it."


def test_ingest_file_that_is_a_directory_is_a_command_error(client_a, tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("ingest", "--source", "facebook", "--client", "acme", "--file", str(tmp_path))
    assert str(error.value) == f"{tmp_path} is a directory; pass a CSV or XLSX file."
    assert not IngestionRun.objects.exists()


def test_ingest_file_that_does_not_exist_is_a_command_error(client_a, tmp_path):
    missing = tmp_path / "nope.csv"
    with pytest.raises(CommandError) as error:
        call_command("ingest", "--source", "facebook", "--client", "acme", "--file", str(missing))
    assert str(error.value) == f"{missing} cannot be read (No such file or directory)."
    assert not IngestionRun.objects.exists()


CONTROL_NAMES = [
    ("Acme\r\nBcc: victim@example.com", "U+000D at position 5"),
    ("Acme\tFoods", "U+0009 at position 5"),
    ("Acme\u202eFoods", "U+202E at position 5"),
    ("Acme\u2028Foods", "U+2028 at position 5"),
]


@pytest.mark.parametrize(("name", "where"), CONTROL_NAMES)
def test_control_characters_in_a_new_clients_name_are_refused(api, admin_user, name, where):
    response = api(admin_user).post(
        "/api/v1/clients",
        {"name": name, "slug": "evil", "cpm": "10.00", "cpm_effective_date": "2025-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == f"name: Remove the control character {where}."
    assert not Client.objects.filter(slug="evil").exists()


def test_control_characters_in_a_renamed_client_are_refused(api, admin_user, client_a):
    response = api(admin_user).patch(
        f"/api/v1/clients/{client_a.pk}", {"name": "Acme\nFoods"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "name: Remove the control character U+000A at position 5."
    client_a.refresh_from_db()
    assert client_a.name == "Acme Foods"


def test_ordinary_punctuation_and_letters_in_a_name_are_fine(admin_user):
    client = client_create(
        name="Café Ünïcode & Sons (Zürich) - 2025 🎉",
        slug="cafe",
        cpm=Decimal("1.0000"),
        cpm_effective_date=dt.date(2025, 1, 1),
        by=admin_user,
    )
    assert client.name == "Café Ünïcode & Sons (Zürich) - 2025 🎉"


@pytest.mark.parametrize("field", ["first_name", "last_name"])
def test_control_characters_in_a_users_name_are_refused(api, admin_user, client_a, field):
    response = api(admin_user).post(
        f"/api/v1/clients/{client_a.pk}/users",
        {
            "username": "newbie",
            "email": "newbie@example.com",
            "password": "a-long-enough-pass-42",
            field: "New\rBie",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == (
        f"{field}: Remove the control character U+000D at position 4."
    )
    assert not client_a.users.filter(username="newbie").exists()


def test_control_characters_in_a_surfside_campaign_name_are_refused(api, admin_user, client_a):
    response = api(admin_user).put(
        f"/api/v1/clients/{client_a.pk}/connections/surfside",
        {"bucket": "agency-surfside", "file_pattern": "{date}.csv", "campaign_name": "A\x00B"},
        format="json",
    )
    assert response.status_code == 400
    assert not SurfsideConnection.objects.exists()


def _window_error(value: str) -> str:
    latest = timezone.localdate() + dt.timedelta(days=366)
    return f"Use a date between 2000-01-01 and {latest.isoformat()}, not {value}."


@pytest.mark.parametrize("value", ["0001-01-01", "1999-12-31", "9999-12-31"])
def test_cpm_rate_dates_outside_the_window_are_refused(api, admin_user, client_a, value):
    rates_before = list(CpmRate.objects.values_list("pk", flat=True))
    response = api(admin_user).post(
        f"/api/v1/clients/{client_a.pk}/settings",
        {"cpm": "12.00", "effective_date": value},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == f"effective_date: {_window_error(value)}"
    assert list(CpmRate.objects.values_list("pk", flat=True)) == rates_before


def test_cpm_rate_service_refuses_absurd_dates_too(admin_user, client_a):
    from django.core.exceptions import ValidationError

    rates_before = list(CpmRate.objects.values_list("pk", flat=True))
    with pytest.raises(ValidationError) as error:
        cpm_rate_add(
            client=client_a, cpm=Decimal("3"), effective_date=dt.date(9999, 12, 31), by=admin_user
        )
    assert error.value.message_dict == {"effective_date": [_window_error("9999-12-31")]}
    assert list(CpmRate.objects.values_list("pk", flat=True)) == rates_before


def test_a_new_clients_first_rate_date_is_checked(api, admin_user):
    response = api(admin_user).post(
        "/api/v1/clients",
        {"name": "Evil", "slug": "evil", "cpm": "10.00", "cpm_effective_date": "0001-01-01"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == f"cpm_effective_date: {_window_error('0001-01-01')}"
    assert not Client.objects.filter(slug="evil").exists()


def test_an_ingestion_trigger_for_9999_is_refused(api, admin_user, client_a):
    response = api(admin_user).post(
        "/api/v1/admin/ingestion/trigger",
        {"client_id": client_a.pk, "source": "surfside", "date": "9999-12-31"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == f"date: {_window_error('9999-12-31')}"
    assert not IngestionRun.objects.exists()


def test_a_backfill_from_year_one_is_refused(api, admin_user, client_a):
    response = api(admin_user).post(
        "/api/v1/admin/backfill",
        {
            "source": "surfside",
            "client_id": client_a.pk,
            "start_date": "0001-01-01",
            "end_date": "2025-01-05",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"] == f"start_date: {_window_error('0001-01-01')}"
    assert not BackfillJob.objects.exists()


def test_the_ingest_command_refuses_an_absurd_date(client_a):
    with pytest.raises(CommandError) as error:
        call_command("ingest", "--source", "surfside", "--client", "acme", "--date", "9999-12-31")
    assert str(error.value) == f"--date: {_window_error('9999-12-31')}"
    assert not IngestionRun.objects.exists()


@pytest.mark.parametrize(
    "bucket",
    ["../../etc", "Agency-Surfside", "ab", "a" * 64, "agency..surfside", "192.168.1.10", "-agency"],
)
def test_surfside_bucket_must_be_an_s3_bucket_name(api, admin_user, client_a, bucket):
    response = api(admin_user).put(
        f"/api/v1/clients/{client_a.pk}/connections/surfside",
        {"bucket": bucket, "file_pattern": "{date}.csv"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"bucket: '{bucket}' is not a valid S3 bucket name")
    assert not SurfsideConnection.objects.exists()


@pytest.mark.parametrize("bucket", ["agency-surfside", "my.bucket.2025", "abc"])
def test_valid_bucket_names_are_accepted(api, admin_user, client_a, bucket):
    response = api(admin_user).put(
        f"/api/v1/clients/{client_a.pk}/connections/surfside",
        {"bucket": bucket, "file_pattern": "{date}.csv"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert SurfsideConnection.objects.get().bucket == bucket


def test_the_backfill_service_refuses_a_start_before_2000(admin_user, client_a):
    from django.core.exceptions import ValidationError

    from ingestion.backfill import backfill_create

    with pytest.raises(ValidationError) as error:
        backfill_create(
            source="surfside",
            clients=[client_a],
            start=dt.date(1999, 12, 31),
            end=dt.date(2000, 1, 2),
            by=admin_user,
        )
    assert error.value.messages == [_window_error("1999-12-31")]
    assert not BackfillJob.objects.exists()


def test_an_alert_for_a_client_whose_stored_name_has_a_line_break_is_still_sent(
    client_a, django_capture_on_commit_callbacks
):
    from django.core import mail

    from ingestion.pipeline import run_ingestion
    from ingestion.tests.helpers import row, surfside_csv

    # A name stored before names were checked.
    Client.objects.filter(pk=client_a.pk).update(name="Acme\r\nBcc: victim@example.com")
    client_a.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        run_ingestion(
            client=client_a,
            source="surfside",
            content=surfside_csv(row(), row(creative="Bad", clicks="x")),
            file_name="d.csv",
        )
    assert [message.subject for message in mail.outbox] == [
        "[Dashboard] Rows refused: Acme Bcc: victim@example.com Surfside 2025-11-03"
    ]
    assert mail.outbox[0].bcc == []


def test_single_line_keeps_ordinary_text_and_blanks_control_characters():
    from core.validators import single_line

    assert single_line("Café\r\nÜber\u202etest\x00 - 2025") == "Café Über test - 2025"


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        (
            "admin/audit-logs?action=bogus",
            "action: Select a valid choice. bogus is not one of the available choices.",
        ),
        (
            "admin/ingestion-logs?status=bogus",
            "status: Select a valid choice. bogus is not one of the available choices.",
        ),
        (
            "admin/ingestion-logs?source=tiktok",
            "source: Select a valid choice. tiktok is not one of the available choices.",
        ),
    ],
)
def test_an_unknown_choice_in_an_admin_filter_is_a_400_not_an_empty_page(
    api, admin_user, query, detail
):
    response = api(admin_user).get(f"/api/v1/{query}")
    assert response.status_code == 400
    assert response.json()["detail"] == detail


def test_admin_filters_still_narrow_the_lists(api, admin_user, client_a):
    from accounts.models import AuditAction, AuditLog
    from ingestion.pipeline import start_run

    start_run(client=client_a, source="surfside", trigger="manual", triggered_by=admin_user)
    AuditLog.objects.create(action=AuditAction.LOGIN, username="ana")
    AuditLog.objects.create(action=AuditAction.LOGOUT, username="bo")
    admin_api = api(admin_user)
    logins = admin_api.get("/api/v1/admin/audit-logs?action=login&username=ana").json()
    assert [entry["username"] for entry in logins["results"]] == ["ana"]
    runs = admin_api.get("/api/v1/admin/ingestion-logs?source=surfside&status=processing").json()
    assert [run["status"] for run in runs["results"]] == ["processing"]
    assert admin_api.get("/api/v1/admin/ingestion-logs?source=vibe").json()["results"] == []
