from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.test import RequestFactory, override_settings
from rest_framework.test import APIClient

from accounts import login_guard
from accounts.models import AuditAction, AuditLog, LoginAttemptCount
from accounts.request_context import client_ip
from accounts.tests.factories import PASSWORD

LOGIN = "/api/v1/auth/login"
WRONG = {"detail": "Wrong username or password, or the account is disabled."}


def login(username, password, **headers):
    return APIClient().post(
        LOGIN, {"username": username, "password": password}, format="json", **headers
    )


@pytest.mark.django_db(transaction=True)
@override_settings(LOGIN_FAILURE_LIMIT=5)
def test_forty_parallel_wrong_passwords_are_all_counted_and_only_five_reach_the_check(
    live_server, user_a
):
    def attempt(number: int) -> requests.Response:
        return requests.post(
            f"{live_server.url}{LOGIN}",
            json={"username": "ana", "password": f"wrong-{number}"},
            timeout=120,
        )

    with ThreadPoolExecutor(max_workers=40) as pool:
        responses = list(pool.map(attempt, range(40)))

    statuses = [response.status_code for response in responses]
    assert sorted(statuses) == [401] * 5 + [429] * 35
    assert login_guard.attempts_counted("ana") == 40
    assert LoginAttemptCount.objects.get(key="ip:127.0.0.1").count == 40
    assert AuditLog.objects.filter(action=AuditAction.LOGIN_FAILED).count() == 5
    right = requests.post(
        f"{live_server.url}{LOGIN}", json={"username": "ana", "password": PASSWORD}, timeout=30
    )
    assert right.status_code == 429


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_over_the_limit_even_the_right_password_is_refused_without_a_check(user_a):
    for _ in range(3):
        assert login("ana", "wrong").json() == WRONG
    response = login("ana", PASSWORD)
    assert response.status_code == 429
    assert response.json() == {"detail": "Too many failed login attempts. Try again in 15 minutes."}
    assert 895 <= int(response["Retry-After"]) <= 900
    assert login_guard.attempts_counted("ana") == 4


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_a_success_clears_the_usernames_count_and_returns_the_addresss_attempt(user_a):
    assert login("ana", "wrong").status_code == 401
    assert login("ana", PASSWORD).status_code == 200
    assert login_guard.attempts_counted("ana") == 0
    assert LoginAttemptCount.objects.get(key="ip:127.0.0.1").count == 1


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=3, TRUSTED_PROXY_COUNT=1)
def test_behind_one_trusted_proxy_each_client_is_counted_on_its_own_address(user_a, user_b):
    for _ in range(3):
        response = login("nobody", "wrong", HTTP_X_FORWARDED_FOR="203.0.113.7")
        assert response.status_code == 401
    # Same proxy (REMOTE_ADDR), another client: not locked out by the first one's failures.
    assert login("ana", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200
    assert login("bo", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    entry = AuditLog.objects.get(action=AuditAction.LOGIN, user__username="ana")
    assert entry.ip_address == "198.51.100.2"


@pytest.mark.django_db
@override_settings(LOGIN_FAILURE_LIMIT=3)
def test_with_no_trusted_proxy_a_forged_header_changes_nothing(user_a):
    for number in range(3):
        login("nobody", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{number}")
    assert login("ana", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 429
    assert set(AuditLog.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


@pytest.mark.parametrize(
    ("trusted", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "10.0.0.1"),
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.1"),
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_takes_the_address_the_outermost_trusted_proxy_saw(trusted, forwarded, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(TRUSTED_PROXY_COUNT=trusted):
        assert client_ip(request) == expected
