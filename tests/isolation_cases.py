"""The isolation matrix: every scoped API endpoint, called about client A's objects.

Each case says what the owner (a user of client A), an outsider (a user of client B) and an admin
get. Path templates are filled from the ``world`` fixture: ``{a}`` is client A's id. A new endpoint
without a case here fails ``test_every_scoped_endpoint_has_an_isolation_case``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Case:
    route: str
    method: str
    path: str
    owner: int
    outsider: int = 404
    admin: int = 200
    payload: dict[str, Any] = field(default_factory=dict)
    # Whether the owner's/admin's call writes (then it runs last, on a fresh world per test).
    writes: bool = False

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


CASES = [
    Case(
        "api/v1/auth/logout",
        "post",
        "/api/v1/auth/logout",
        owner=400,
        outsider=400,
        admin=400,
        payload={"refresh": "not-a-token"},
    ),
    Case("api/v1/auth/me", "get", "/api/v1/auth/me", owner=200, outsider=200),
    Case("api/v1/^clients$", "get", "/api/v1/clients", owner=200, outsider=200),
    Case(
        "api/v1/^clients$",
        "post",
        "/api/v1/clients",
        owner=403,
        outsider=403,
        admin=201,
        payload={"name": "New", "slug": "new", "cpm": "1", "cpm_effective_date": "2025-01-01"},
        writes=True,
    ),
    Case("api/v1/^clients/(?P<pk>[^/.]+)$", "get", "/api/v1/clients/{a}", owner=200),
    Case(
        "api/v1/^clients/(?P<pk>[^/.]+)$",
        "patch",
        "/api/v1/clients/{a}",
        owner=403,
        payload={"name": "Renamed"},
        writes=True,
    ),
    Case("api/v1/^clients/(?P<pk>[^/.]+)$", "delete", "/api/v1/clients/{a}", owner=403, admin=400),
    Case(
        "api/v1/clients/<str:client_pk>/settings", "get", "/api/v1/clients/{a}/settings", owner=200
    ),
    Case(
        "api/v1/clients/<str:client_pk>/settings",
        "post",
        "/api/v1/clients/{a}/settings",
        owner=403,
        admin=201,
        payload={"cpm": "20", "effective_date": "2025-02-01"},
        writes=True,
    ),
    Case("api/v1/clients/<str:client_pk>/users", "get", "/api/v1/clients/{a}/users", owner=403),
    Case(
        "api/v1/clients/<str:client_pk>/users",
        "post",
        "/api/v1/clients/{a}/users",
        owner=403,
        admin=201,
        payload={"username": "new-user", "email": "n@x.io", "password": "a-long-passphrase"},
        writes=True,
    ),
    Case(
        "api/v1/clients/<str:client_pk>/connections/vibe",
        "put",
        "/api/v1/clients/{a}/connections/vibe",
        owner=403,
        payload={"advertiser_id": "adv-1", "api_key": "vibe-test-key-1234"},
        writes=True,
    ),
    Case(
        "api/v1/admin/clients/<str:client_pk>/toggle-status",
        "put",
        "/api/v1/admin/clients/{a}/toggle-status",
        owner=403,
        payload={"status": "disabled"},
        writes=True,
    ),
]
