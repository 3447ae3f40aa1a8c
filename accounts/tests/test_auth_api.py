import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from accounts.models import AuditAction, AuditLog
from accounts.services import user_password_reset
from accounts.tests.factories import PASSWORD
from clients.services import client_set_status

pytestmark = pytest.mark.django_db

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/auth/me"


def login(username, password=PASSWORD):
    return APIClient().post(LOGIN, {"username": username, "password": password}, format="json")


def bearer(access):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return api


def test_login_returns_a_token_pair_that_identifies_the_user(user_a):
    response = login("ana")
    assert response.status_code == 200
    me = bearer(response.json()["access"]).get(ME)
    assert me.json() == {
        "id": user_a.pk,
        "username": "ana",
        "email": "ana@example.com",
        "role": "client",
        "client_id": user_a.client_id,
        "client_name": "Acme Foods",
    }
    assert AuditLog.objects.filter(user=user_a, action=AuditAction.LOGIN).exists()


def test_wrong_password_is_401_with_a_plain_message(user_a):
    response = login("ana", "wrong")
    assert response.status_code == 401
    assert response.json() == {"detail": "Wrong username or password, or the account is disabled."}
    assert AuditLog.objects.filter(action=AuditAction.LOGIN_FAILED, entity_label="ana").exists()


@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_repeated_failures_are_throttled_even_with_the_right_password(user_a):
    for _ in range(3):
        assert login("ana", "wrong").status_code == 401
    response = login("ana")
    assert response.status_code == 429
    assert "Too many failed login attempts" in response.json()["detail"]
    assert int(response["Retry-After"]) > 0


def test_malformed_json_and_unknown_fields_are_refused():
    api = APIClient()
    bad = api.post(LOGIN, "{not json", content_type="application/json")
    assert bad.status_code == 400
    assert "JSON parse error" in bad.json()["detail"]
    extra = api.post(LOGIN, {"username": "a", "password": "b", "otp": "1"}, format="json")
    assert extra.status_code == 400
    assert extra.json()["detail"] == "otp: Unknown field."


def test_refresh_rotates_and_the_old_refresh_token_dies(user_a):
    pair = login("ana").json()
    rotated = APIClient().post(REFRESH, {"refresh": pair["refresh"]}, format="json")
    assert rotated.status_code == 200
    assert set(rotated.json()) == {"access", "refresh"}
    assert rotated.json()["refresh"] != pair["refresh"]
    replay = APIClient().post(REFRESH, {"refresh": pair["refresh"]}, format="json")
    assert replay.status_code == 401


def test_logout_blacklists_the_refresh_token(user_a):
    pair = login("ana").json()
    response = bearer(pair["access"]).post(LOGOUT, {"refresh": pair["refresh"]}, format="json")
    assert response.status_code == 200
    assert APIClient().post(REFRESH, {"refresh": pair["refresh"]}, format="json").status_code == 401


def test_logout_refuses_another_users_refresh_token(user_a, user_b):
    mine = login("ana").json()
    theirs = login("bo").json()
    response = bearer(mine["access"]).post(LOGOUT, {"refresh": theirs["refresh"]}, format="json")
    assert response.status_code == 400
    assert (
        APIClient().post(REFRESH, {"refresh": theirs["refresh"]}, format="json").status_code == 200
    )


def test_anonymous_me_is_401():
    assert APIClient().get(ME).status_code == 401


def test_disabling_the_client_kills_existing_tokens_and_refresh(user_a, admin_user):
    pair = login("ana").json()
    client_set_status(client=user_a.client, status="disabled", by=admin_user)
    assert bearer(pair["access"]).get(ME).status_code == 401
    assert APIClient().post(REFRESH, {"refresh": pair["refresh"]}, format="json").status_code == 401
    assert login("ana").status_code == 401


def test_password_reset_revokes_tokens_issued_before_it(user_a, admin_user):
    pair = login("ana").json()
    user_password_reset(user=user_a, new_password="a-brand-new-passphrase", by=admin_user)
    assert bearer(pair["access"]).get(ME).status_code == 401
    assert login("ana", "a-brand-new-passphrase").status_code == 200


def test_superuser_created_by_the_command_is_an_admin(monkeypatch):
    from django.core.management import call_command

    from accounts.models import User

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-admin-passphrase")
    call_command("createsuperuser", "--noinput", "--username", "root", "--email", "r@x.io")
    root = User.objects.get(username="root")
    assert root.is_admin and root.is_staff and root.client is None
    token = login("root", "a-long-admin-passphrase").json()["access"]
    assert bearer(token).get(ME).json()["role"] == "admin"
