import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client as BrowserClient
from rest_framework.test import APIClient

from accounts.audit import snapshot
from accounts.services import USER_AUDIT_FIELDS, user_update
from accounts.tests.factories import PASSWORD, AdminFactory, UserFactory
from clients.services import client_set_status

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
ME = "/api/v1/auth/me"


def tokens_for(username):
    response = APIClient().post(LOGIN, {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    return response.json()


def me_with(access):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return api.get(ME)


def test_a_user_deactivated_on_their_own_stays_inactive_after_the_client_is_re_enabled(
    admin_user, client_a, user_a
):
    kept_out = UserFactory(username="kept-out", client=client_a, is_active=False)
    client_set_status(client=client_a, status="disabled", by=admin_user)
    user_a.refresh_from_db()
    kept_out.refresh_from_db()
    assert (user_a.is_active, kept_out.is_active) == (False, False)

    client_set_status(client=client_a, status="active", by=admin_user)
    user_a.refresh_from_db()
    kept_out.refresh_from_db()
    assert (user_a.is_active, kept_out.is_active) == (True, False)


def test_a_user_an_admin_activates_while_the_client_is_disabled_waits_for_the_client(
    admin_user, client_a, user_a
):
    client_set_status(client=client_a, status="disabled", by=admin_user)
    user_a.refresh_from_db()
    before = snapshot(user_a, USER_AUDIT_FIELDS)
    user_a.is_active = True
    user_update(user=user_a, by=admin_user, before=before)
    user_a.refresh_from_db()
    assert user_a.is_active is False
    client_set_status(client=client_a, status="active", by=admin_user)
    user_a.refresh_from_db()
    assert user_a.is_active is True


def test_a_user_an_admin_deactivates_while_the_client_is_disabled_stays_out(
    admin_user, client_a, user_a
):
    client_set_status(client=client_a, status="disabled", by=admin_user)
    user_a.refresh_from_db()
    before = snapshot(user_a, USER_AUDIT_FIELDS)
    user_a.is_active = False
    user_a.deactivated_with_client = False
    user_update(user=user_a, by=admin_user, before=before)
    client_set_status(client=client_a, status="active", by=admin_user)
    user_a.refresh_from_db()
    assert user_a.is_active is False


def test_tokens_issued_before_a_disable_stay_dead_after_re_enable(admin_user, client_a, user_a):
    old = tokens_for("ana")
    assert me_with(old["access"]).status_code == 200
    client_set_status(client=client_a, status="disabled", by=admin_user)
    assert me_with(old["access"]).status_code == 401
    client_set_status(client=client_a, status="active", by=admin_user)

    assert me_with(old["access"]).status_code == 401
    refreshed = APIClient().post(REFRESH, {"refresh": old["refresh"]}, format="json")
    assert refreshed.status_code == 401
    assert refreshed.json() == {
        "detail": "This refresh token is invalid, expired or already used. Log in again."
    }
    fresh = tokens_for("ana")
    assert me_with(fresh["access"]).status_code == 200


def test_sessions_from_before_a_disable_stay_dead_after_re_enable(admin_user, client_a, user_a):
    browser = BrowserClient()
    browser.force_login(user_a)
    assert browser.get("/dashboard/").status_code == 200
    client_set_status(client=client_a, status="disabled", by=admin_user)
    client_set_status(client=client_a, status="active", by=admin_user)
    response = browser.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_an_admin_cannot_change_another_admins_email_in_the_admin(admin_user):
    other = AdminFactory(username="other-admin", email="other@agency.example")
    browser = BrowserClient()
    browser.force_login(admin_user)
    page = browser.get(f"/admin/accounts/user/{other.pk}/change/")
    assert page.status_code == 200
    assert 'name="email"' not in page.content.decode()
    browser.post(
        f"/admin/accounts/user/{other.pk}/change/",
        {
            "username": "other-admin",
            "email": "attacker@evil.example",
            "role": "admin",
            "is_active": "on",
            "first_name": "",
            "last_name": "",
        },
    )
    other.refresh_from_db()
    assert other.email == "other@agency.example"


def test_an_admin_can_still_change_their_own_email_and_a_client_users(admin_user, user_a):
    browser = BrowserClient()
    browser.force_login(admin_user)
    for user in (admin_user, user_a):
        assert (
            'name="email"'
            in browser.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
        )


def test_the_user_update_service_refuses_another_admins_email_change(admin_user):
    other = AdminFactory(username="other-admin", email="other@agency.example")
    before = snapshot(other, USER_AUDIT_FIELDS)
    other.email = "attacker@evil.example"
    with pytest.raises(PermissionDenied, match="another admin's e-mail"):
        user_update(user=other, by=admin_user, before=before)
    other.refresh_from_db()
    assert other.email == "other@agency.example"


def test_the_user_update_service_refuses_another_admins_password_change(admin_user):
    other = AdminFactory(username="other-admin")
    before = snapshot(other, USER_AUDIT_FIELDS)
    other.set_password("a-takeover-passphrase")
    with pytest.raises(PermissionDenied, match="another admin's password"):
        user_update(user=other, by=admin_user, before=before)
    other.refresh_from_db()
    assert other.check_password(PASSWORD)


def test_tokens_issued_before_an_admin_deactivates_a_user_stay_dead_after_reactivation(
    admin_user, user_a
):
    old = tokens_for("ana")
    for active in (False, True):
        before = snapshot(user_a, USER_AUDIT_FIELDS)
        user_a.is_active = active
        user_update(user=user_a, by=admin_user, before=before)
    assert me_with(old["access"]).status_code == 401
    assert APIClient().post(REFRESH, {"refresh": old["refresh"]}, format="json").status_code == 401
    assert me_with(tokens_for("ana")["access"]).status_code == 200
