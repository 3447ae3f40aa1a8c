import re

import pytest
from django.test import Client as BrowserClient
from django.test import override_settings

from accounts.models import AuditAction, AuditLog
from accounts.tests.factories import PASSWORD, AdminFactory

pytestmark = pytest.mark.django_db


def browser_logged_in(user):
    browser = BrowserClient(enforce_csrf_checks=True)
    page = browser.get("/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    response = browser.post(
        "/accounts/login/",
        {
            "username": user.username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": token,
        },
    )
    return browser, response


def test_login_form_is_csrf_protected(user_a):
    browser = BrowserClient(enforce_csrf_checks=True)
    response = browser.post("/accounts/login/", {"username": "ana", "password": PASSWORD})
    assert response.status_code == 403


def test_client_user_lands_on_their_dashboard_with_their_clients_name(user_a):
    browser, response = browser_logged_in(user_a)
    assert response.status_code == 302
    page = browser.get(response["Location"], follow=True)
    assert page.status_code == 200
    assert "Acme Foods" in page.content.decode()
    assert AuditLog.objects.filter(user=user_a, action=AuditAction.LOGIN).exists()


@override_settings(LOGIN_FAILURE_LIMIT=2)
def test_login_page_throttles_repeated_failures(user_a):
    browser = BrowserClient()
    for _ in range(2):
        browser.post("/accounts/login/", {"username": "ana", "password": "nope"})
    page = browser.post("/accounts/login/", {"username": "ana", "password": PASSWORD})
    assert "Too many failed login attempts" in page.content.decode()
    assert "_auth_user_id" not in browser.session


def test_client_users_cannot_open_the_admin(user_a):
    browser, _ = browser_logged_in(user_a)
    response = browser.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_admins_can_open_the_admin_and_see_clients(admin_user, client_a):
    browser, _ = browser_logged_in(admin_user)
    page = browser.get("/admin/clients/client/")
    assert page.status_code == 200
    assert "Acme Foods" in page.content.decode()


def test_disabling_a_client_ends_its_users_sessions(user_a, admin_user):
    from clients.services import client_set_status

    browser, _ = browser_logged_in(user_a)
    assert browser.get("/dashboard/").status_code == 200
    client_set_status(client=user_a.client, status="disabled", by=admin_user)
    assert browser.get("/dashboard/").status_code == 302


def test_admin_resets_a_client_users_password(admin_user, user_a):
    browser = BrowserClient()
    browser.force_login(admin_user)
    response = browser.post(
        f"/admin/accounts/user/{user_a.pk}/password/",
        {
            "new_password1": "a-fresh-passphrase",
            "new_password2": "a-fresh-passphrase",
        },
    )
    assert response.status_code == 302
    user_a.refresh_from_db()
    assert user_a.check_password("a-fresh-passphrase")
    assert AuditLog.objects.filter(action=AuditAction.PASSWORD_RESET, user=admin_user).exists()


def test_admin_cannot_reset_another_admins_password(admin_user):
    other = AdminFactory(username="other-admin")
    browser = BrowserClient()
    browser.force_login(admin_user)
    response = browser.post(
        f"/admin/accounts/user/{other.pk}/password/",
        {
            "new_password1": "a-fresh-passphrase",
            "new_password2": "a-fresh-passphrase",
        },
        follow=True,
    )
    assert "cannot reset another admin" in response.content.decode()
    other.refresh_from_db()
    assert other.check_password(PASSWORD)


def test_admin_creates_a_client_with_its_first_cpm(admin_user):
    from clients.models import Client

    browser = BrowserClient()
    browser.force_login(admin_user)
    response = browser.post(
        "/admin/clients/client/add/",
        {
            "name": "Delta Dental",
            "slug": "delta",
            "initial_cpm": "11.25",
            "initial_cpm_effective_date": "2025-01-01",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client = Client.objects.get(slug="delta")
    assert str(client.cpm_rates.get().cpm) == "11.2500"


def test_audit_log_is_read_only_in_the_admin(admin_user, user_a):
    browser = BrowserClient()
    browser.force_login(admin_user)
    entry = AuditLog.objects.first()
    assert entry is not None
    assert browser.get("/admin/accounts/auditlog/add/").status_code == 403
    page = browser.get(f"/admin/accounts/auditlog/{entry.pk}/change/")
    assert page.status_code == 200
    assert 'type="submit" value="Save"' not in page.content.decode()
    assert (
        browser.post(f"/admin/accounts/auditlog/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )


def test_health_is_public_and_reports_the_database():
    response = BrowserClient().get("/api/v1/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok" and response.json()["database"] == "ok"


def test_openapi_schema_and_docs_render_without_internet():
    schema = BrowserClient().get("/api/v1/schema")
    assert schema.status_code == 200
    assert b"/api/v1/auth/login" in schema.content
    docs = BrowserClient().get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"cdn.jsdelivr" not in docs.content


def test_the_task_queue_shows_in_the_admin(admin_user):
    browser = BrowserClient()
    browser.force_login(admin_user)
    index = browser.get("/admin/").content.decode()
    assert "Task queue" in index
    for path in (
        "/admin/django_q/schedule/",
        "/admin/django_q/success/",
        "/admin/django_q/failure/",
        "/admin/django_q/ormq/",
    ):
        assert browser.get(path).status_code == 200, path
