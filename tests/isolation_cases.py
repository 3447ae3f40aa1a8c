"""The isolation matrix: every scoped API endpoint, called about client A's objects.

Each case says what the owner (a user of client A), an outsider (a user of client B) and an admin
get. Path templates are filled from the ``world`` fixture: ``{a}`` is client A's id; ``{campaign}``,
``{strategy}``, ``{placement}`` and ``{creative}`` are one chain of client A's hierarchy, with a day
of delivery. A new endpoint without a case here fails
``test_every_scoped_endpoint_has_an_isolation_case``.
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
    # Send the payload as multipart with a small valid Facebook export attached as "file".
    upload: bool = False

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


def hierarchy_cases(plural: str, singular: str, parent: str | None = None) -> list[Case]:
    """List (by client_id and by parent id), detail and metrics of one hierarchy level."""
    listing = f"api/v1/^{plural}$"
    detail = f"api/v1/^{plural}/(?P<pk>[^/.]+)$"
    metrics = f"api/v1/^{plural}/(?P<pk>[^/.]+)/metrics$"
    cases = [
        Case(listing, "get", f"/api/v1/{plural}?client_id={{a}}", owner=200),
        Case(detail, "get", f"/api/v1/{plural}/{{{singular}}}", owner=200),
        Case(metrics, "get", f"/api/v1/{plural}/{{{singular}}}/metrics", owner=200),
    ]
    if parent:
        cases.append(Case(listing, "get", f"/api/v1/{plural}?{parent}_id={{{parent}}}", owner=200))
    return cases


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
    Case(
        "api/v1/clients/<str:client_pk>/connections/surfside",
        "put",
        "/api/v1/clients/{a}/connections/surfside",
        owner=403,
        writes=True,
        payload={"bucket": "surfside", "prefix": "acme/", "file_pattern": "{{date}}.csv"},
    ),
    Case(
        "api/v1/facebook/upload",
        "post",
        "/api/v1/facebook/upload",
        owner=201,
        admin=201,
        payload={"client_id": "{a}"},
        upload=True,
        writes=True,
    ),
    Case("api/v1/facebook/uploads", "get", "/api/v1/facebook/uploads?client_id={a}", owner=200),
    Case(
        "api/v1/facebook/uploads/<int:upload_id>",
        "get",
        "/api/v1/facebook/uploads/{upload}",
        owner=200,
    ),
    # A queued export is only ever its requester's (client A's user), not even an admin's.
    Case(
        "api/v1/exports/jobs/<int:job_id>",
        "get",
        "/api/v1/exports/jobs/{export}",
        owner=200,
        admin=404,
    ),
    Case(
        "api/v1/exports/jobs/<int:job_id>/download",
        "get",
        "/api/v1/exports/jobs/{export}/download",
        owner=200,
        admin=404,
    ),
    Case(
        "api/v1/admin/ingestion-logs",
        "get",
        "/api/v1/admin/ingestion-logs?client_id={a}",
        owner=403,
    ),
    Case(
        "api/v1/admin/ingestion-logs/<str:run_pk>",
        "get",
        "/api/v1/admin/ingestion-logs/{run}",
        owner=403,
    ),
    Case(
        "api/v1/admin/ingestion-logs/<str:run_pk>/resolve",
        "post",
        "/api/v1/admin/ingestion-logs/{run}/resolve",
        owner=403,
        payload={"notes": "done"},
        writes=True,
    ),
    Case(
        "api/v1/admin/ingestion-logs/<str:run_pk>/rerun",
        "post",
        "/api/v1/admin/ingestion-logs/{run}/rerun",
        owner=403,
        admin=202,
        writes=True,
    ),
    # Admin-only endpoints without a client in the URL or query answer 403 to any client user.
    Case(
        "api/v1/admin/ingestion/trigger",
        "post",
        "/api/v1/admin/ingestion/trigger",
        owner=403,
        outsider=403,
        admin=202,
        payload={"client_id": "{a}", "source": "surfside", "date": "2025-11-03"},
        writes=True,
    ),
    Case(
        "api/v1/admin/backfill",
        "post",
        "/api/v1/admin/backfill",
        owner=403,
        outsider=403,
        admin=202,
        payload={
            "source": "surfside",
            "client_id": "{a}",
            "start_date": "2025-11-03",
            "end_date": "2025-11-04",
        },
        writes=True,
    ),
    Case("api/v1/admin/backfill/<str:job_pk>", "get", "/api/v1/admin/backfill/{job}", owner=403),
    Case(
        "api/v1/admin/vibe-report-requests/<int:request_pk>",
        "get",
        "/api/v1/admin/vibe-report-requests/{vibe_request}",
        owner=403,
    ),
    Case("api/v1/admin/audit-logs", "get", "/api/v1/admin/audit-logs", owner=403, outsider=403),
    # The dashboard read API: client A's data asked for by client_id, by object id or by parent.
    *[
        Case(f"api/v1/{route}", "get", f"/api/v1/{route}?client_id={{a}}", owner=200)
        for route in (
            "dashboard/summary",
            "dashboard/overview",
            "metrics/daily",
            "metrics/weekly",
            "metrics/monthly",
            "restatements",
            "exports/csv",
            "exports/xlsx",
            "exports/pdf",
        )
    ],
    # Insertion orders: admins write, client users read their own.
    Case("api/v1/^insertion-orders$", "get", "/api/v1/insertion-orders?client_id={a}", owner=200),
    Case(
        "api/v1/^insertion-orders$",
        "post",
        "/api/v1/insertion-orders",
        owner=403,
        outsider=403,
        admin=201,
        payload={
            "client_id": "{a}",
            "name": "December",
            "start_date": "2025-12-01",
            "end_date": "2025-12-31",
            "contracted_impressions": 1000,
        },
        writes=True,
    ),
    Case(
        "api/v1/^insertion-orders/(?P<pk>[^/.]+)$",
        "get",
        "/api/v1/insertion-orders/{order}",
        owner=200,
    ),
    Case(
        "api/v1/^insertion-orders/(?P<pk>[^/.]+)$",
        "patch",
        "/api/v1/insertion-orders/{order}",
        owner=403,
        payload={"name": "Renamed"},
        writes=True,
    ),
    Case(
        "api/v1/^insertion-orders/(?P<pk>[^/.]+)$",
        "delete",
        "/api/v1/insertion-orders/{order}",
        owner=403,
        admin=204,
        writes=True,
    ),
    Case(
        "api/v1/^insertion-orders/(?P<pk>[^/.]+)/pacing$",
        "get",
        "/api/v1/insertion-orders/{order}/pacing?as_of=2025-11-10",
        owner=200,
    ),
    # Annotations: listed per client; another client's id is a 404.
    Case(
        "api/v1/annotations",
        "get",
        "/api/v1/annotations?client_id={a}&start_date=2025-11-01&end_date=2025-11-30",
        owner=200,
    ),
    *hierarchy_cases("campaigns", "campaign"),
    *hierarchy_cases("strategies", "strategy", parent="campaign"),
    *hierarchy_cases("placements", "placement", parent="strategy"),
    *hierarchy_cases("creatives", "creative", parent="placement"),
]
