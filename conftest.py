"""Fixtures shared by every app's tests: users of two clients and API clients that log in."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.tests.factories import AdminFactory, UserFactory
from clients.tests.factories import ClientFactory

# Data fixtures shared by the apps' tests: real sample files and a fake Vibe (tests.source_data),
# known delivery for report and page tests (tests.report_data).
pytest_plugins = ["tests.source_data", "tests.report_data"]


@pytest.fixture
def client_a(db):
    return ClientFactory(name="Acme Foods", slug="acme")


@pytest.fixture
def client_b(db):
    return ClientFactory(name="Borealis Travel", slug="borealis")


@pytest.fixture
def admin_user(db):
    return AdminFactory(username="agency-admin")


@pytest.fixture
def user_a(client_a):
    return UserFactory(username="ana", client=client_a)


@pytest.fixture
def user_b(client_b):
    return UserFactory(username="bo", client=client_b)


def api_client_for(user) -> APIClient:
    """An API client sending a real JWT access token for ``user`` (anonymous for None)."""
    api = APIClient()
    if user is not None:
        token = RefreshToken.for_user(user).access_token
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


@pytest.fixture
def api():
    return api_client_for


@pytest.fixture(autouse=True)
def _clear_cache(db):
    """Every test starts with an empty cache (login throttling is in its own table)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def two_tenants(client_a, client_b):
    """Acme and Borealis loaded through the pipeline with the same campaign, strategy, placement
    and creative names, overlapping days and different CPM rates (see tests/two_tenants.py)."""
    from tests.two_tenants import load_two_tenants

    return load_two_tenants(client_a, client_b)
