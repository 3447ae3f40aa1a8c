"""Setting a client's Vibe connection through the API and the admin; the key is never shown."""

import datetime as dt
import json

import pytest
from django.test import Client as BrowserClient
from django.utils import timezone

from accounts.models import AuditAction, AuditLog
from ingestion.models import ReportState, VibeConnection, VibeKeyBudget, VibeReportRequest
from ingestion.sources.vibe.budget import CallOutcome, budget_after_call, budget_reserve
from ingestion.sources.vibe.flow import ingest_vibe_day
from ingestion.sources.vibe.keys import api_key_fingerprint
from tests.source_data import VIBE_KEY

pytestmark = pytest.mark.django_db

PAYLOAD = {"advertiser_id": "adv-acme-01", "api_key": VIBE_KEY}


def url(client):
    return f"/api/v1/clients/{client.pk}/connections/vibe"


def test_an_admin_sets_the_connection_and_gets_the_key_masked(api, admin_user, client_a):
    response = api(admin_user).put(url(client_a), PAYLOAD, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["api_key"] == "••••1234"
    assert body["advertiser_id"] == "adv-acme-01"
    assert body["client_id"] == client_a.pk and body["is_enabled"] is True
    assert body["base_url"] == "https://clear-platform.vibe.co/rest/reporting/v1"
    assert VIBE_KEY not in response.content.decode()
    connection = VibeConnection.objects.get(client=client_a)
    assert VIBE_KEY not in connection.api_key_encrypted
    assert connection.read_api_key() == VIBE_KEY
    entry = AuditLog.objects.get(action=AuditAction.CREATE, entity_type="ingestion.VibeConnection")
    assert entry.user == admin_user
    assert entry.new_values == {
        "advertiser_id": "adv-acme-01",
        "api_key_last4": "1234",
        "base_url": "",
        "is_enabled": True,
    }


def test_replacing_the_key_is_audited_without_it(api, admin_user, client_a):
    api(admin_user).put(url(client_a), PAYLOAD, format="json")
    new_key = "vb-rotated-key-000000-9876"
    response = api(admin_user).put(
        url(client_a), {**PAYLOAD, "api_key": new_key, "is_enabled": False}, format="json"
    )
    assert response.status_code == 200 and response.json()["api_key"] == "••••9876"
    entry = AuditLog.objects.get(action=AuditAction.UPDATE)
    assert entry.old_values == {"api_key_last4": "1234", "is_enabled": True}
    assert entry.new_values == {"api_key_last4": "9876", "is_enabled": False}
    audit_text = json.dumps(list(AuditLog.objects.values("old_values", "new_values")))
    assert VIBE_KEY not in audit_text and new_key not in audit_text
    connection = VibeConnection.objects.get()
    assert connection.api_key_fingerprint == api_key_fingerprint(new_key)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"advertiser_id": "adv"}, "api_key: This field is required."),
        (
            {**PAYLOAD, "api_key": "short"},
            "api_key: This does not look like a Vibe API key (too short or has spaces).",
        ),
        ({**PAYLOAD, "advertiser_id": "  "}, "advertiser_id: This field may not be blank."),
        ({**PAYLOAD, "secret": "x"}, "secret: Unknown field."),
    ],
)
def test_bad_connection_input_is_refused_and_nothing_is_written(
    api, admin_user, client_a, payload, message
):
    response = api(admin_user).put(url(client_a), payload, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == message
    assert not VibeConnection.objects.exists()
    assert not AuditLog.objects.filter(entity_type="ingestion.VibeConnection").exists()


def test_client_users_cannot_set_connections(api, user_a, user_b, client_a):
    assert api(user_a).put(url(client_a), PAYLOAD, format="json").status_code == 403
    assert api(user_b).put(url(client_a), PAYLOAD, format="json").status_code == 404
    assert not VibeConnection.objects.exists()


@pytest.fixture
def admin_browser(admin_user):
    browser = BrowserClient()
    browser.force_login(admin_user)
    return browser


def page_text(browser, path):
    response = browser.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def test_the_admin_sets_a_key_it_never_shows_back(admin_browser, client_a):
    response = admin_browser.post(
        "/admin/ingestion/vibeconnection/add/",
        {
            "client": client_a.pk,
            "advertiser_id": "adv-acme-01",
            "api_key": VIBE_KEY,
            "base_url": "",
            "is_enabled": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    connection = VibeConnection.objects.get()
    assert connection.read_api_key() == VIBE_KEY
    changelist = page_text(admin_browser, "/admin/ingestion/vibeconnection/")
    change = page_text(admin_browser, f"/admin/ingestion/vibeconnection/{connection.pk}/change/")
    assert "••••1234" in changelist and "••••1234" in change
    for page in (changelist, change):
        assert VIBE_KEY not in page
        assert connection.api_key_encrypted not in page
    # Saving the form with the key left empty keeps the key.
    admin_browser.post(
        f"/admin/ingestion/vibeconnection/{connection.pk}/change/",
        {"advertiser_id": "adv-acme-02", "api_key": "", "base_url": "", "is_enabled": "on"},
    )
    connection.refresh_from_db()
    assert connection.advertiser_id == "adv-acme-02" and connection.read_api_key() == VIBE_KEY


def test_a_new_connection_in_the_admin_needs_a_key(admin_browser, client_a):
    response = admin_browser.post(
        "/admin/ingestion/vibeconnection/add/",
        {"client": client_a.pk, "advertiser_id": "adv", "api_key": "", "is_enabled": "on"},
    )
    assert response.status_code == 200
    assert "Enter the Vibe API key." in response.content.decode()
    assert not VibeConnection.objects.exists()


def test_report_requests_and_budgets_are_visible_and_failed_ones_can_be_retried(
    admin_browser, admin_user, client_a, vibe_connection, fake_vibe, vibe_clock, settings
):
    settings.VIBE_CIRCUIT_BREAKER_FAILURES = 1
    fake_vibe.fake.fail_next("create_async_report", 400, body="bad advertiser")
    run = ingest_vibe_day(client=client_a, day=dt.date(2025, 12, 14), trigger="manual")
    request = VibeReportRequest.objects.get()
    assert request.state == ReportState.FAILED
    listing = page_text(admin_browser, "/admin/ingestion/vibereportrequest/")
    detail = page_text(admin_browser, f"/admin/ingestion/vibereportrequest/{request.pk}/change/")
    assert "Could not create the report for Acme Foods" in listing
    assert "(HTTP 400): bad advertiser" in detail
    assert f"/admin/ingestion/ingestionrun/{run.pk}/change/" in detail
    # A key whose circuit is open says so, with its use of the hour.
    fingerprint = vibe_connection.api_key_fingerprint
    budget_reserve(key_fingerprint=fingerprint, key_last4="1234", counted=True, now=timezone.now())
    budget_after_call(
        key_fingerprint=fingerprint,
        key_last4="1234",
        stamp=None,
        now=timezone.now(),
        outcome=CallOutcome.FAILURE,
        error="HTTP 503",
    )
    budget = VibeKeyBudget.objects.get()
    budgets = page_text(admin_browser, "/admin/ingestion/vibekeybudget/")
    budget_page = page_text(admin_browser, f"/admin/ingestion/vibekeybudget/{budget.pk}/change/")
    # The report creation and the reservation above: two of the hour's fifteen.
    assert "OPEN until" in budgets and "2 of 15" in budgets and "HTTP 503" in budget_page
    for page in (listing, detail, budgets, budget_page):
        assert VIBE_KEY not in page
    response = admin_browser.post(
        "/admin/ingestion/vibereportrequest/",
        {"action": "retry_failed", "_selected_action": [request.pk]},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.state == ReportState.REQUESTED and request.report_id == ""
    assert AuditLog.objects.filter(
        action=AuditAction.INGESTION_TRIGGER, user=admin_user, entity_id=str(request.pk)
    ).exists()
