from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from rest_framework.test import APIClient

from accounts.services import user_delete, user_password_change
from accounts.tests.factories import PASSWORD
from clients.services import client_set_status

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
ME = "/api/v1/auth/me"
REFUSED = {"detail": "This refresh token is invalid, expired or already used. Log in again."}


def tokens_for(username):
    response = APIClient().post(LOGIN, {"username": username, "password": PASSWORD}, format="json")
    assert response.status_code == 200
    return response.json()


def refresh(token):
    return APIClient().post(REFRESH, {"refresh": token}, format="json")


@pytest.mark.django_db
def test_a_refresh_token_works_once(user_a):
    old = tokens_for("ana")
    first = refresh(old["refresh"])
    assert first.status_code == 200
    assert set(first.json()) == {"access", "refresh"}
    again = refresh(old["refresh"])
    assert (again.status_code, again.json()) == (401, REFUSED)
    assert refresh(first.json()["refresh"]).status_code == 200


@pytest.mark.django_db
def test_refresh_after_a_password_change_is_401(user_a):
    old = tokens_for("ana")
    user_password_change(user=user_a, new_password="a-brand-new-passphrase")
    response = refresh(old["refresh"])
    assert (response.status_code, response.json()) == (401, REFUSED)


@pytest.mark.django_db
def test_refresh_for_a_deleted_user_is_401(user_a, admin_user):
    old = tokens_for("ana")
    user_delete(user=user_a, by=admin_user)
    response = refresh(old["refresh"])
    assert (response.status_code, response.json()) == (401, REFUSED)


@pytest.mark.django_db
def test_refresh_for_a_disabled_user_is_401(user_a, admin_user):
    old = tokens_for("ana")
    client_set_status(client=user_a.client, status="disabled", by=admin_user)
    response = refresh(old["refresh"])
    assert (response.status_code, response.json()) == (401, REFUSED)


@pytest.mark.django_db
def test_refresh_for_a_user_an_admin_deactivated_is_401(user_a):
    old = tokens_for("ana")
    user_a.is_active = False
    user_a.save()
    response = refresh(old["refresh"])
    assert (response.status_code, response.json()) == (401, REFUSED)


@pytest.mark.django_db
def test_a_new_access_token_from_refresh_works(user_a):
    pair = refresh(tokens_for("ana")["refresh"]).json()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
    assert api.get(ME).json()["username"] == "ana"


@pytest.mark.django_db(transaction=True)
def test_parallel_refreshes_of_one_token_give_exactly_one_new_chain(live_server, user_a):
    session = requests.Session()
    login = session.post(
        f"{live_server.url}{LOGIN}", json={"username": "ana", "password": PASSWORD}, timeout=30
    )
    token = login.json()["refresh"]

    def attempt(_: int) -> requests.Response:
        return requests.post(f"{live_server.url}{REFRESH}", json={"refresh": token}, timeout=60)

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(attempt, range(8)))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] + [401] * 7
    for response in responses:
        if response.status_code == 401:
            assert response.json() == REFUSED
    winner = next(response.json() for response in responses if response.status_code == 200)
    again = requests.post(
        f"{live_server.url}{REFRESH}", json={"refresh": winner["refresh"]}, timeout=30
    )
    assert again.status_code == 200
