"""Example responses for the OpenAPI schema of the accounts, clients, ingestion and health
endpoints (the dashboard reads render theirs from real serializers in ``reports.api.examples``).

Money and rates are decimal strings; counts are integers.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, inline_serializer
from rest_framework import serializers

# Responses that only say what happened, in a sentence.
DETAIL = inline_serializer("Detail", {"detail": serializers.CharField()})


def response(name: str, value: Any, status: int = 200) -> OpenApiExample:
    return OpenApiExample(name, value=value, response_only=True, status_codes=[str(status)])


def page(item: dict[str, Any]) -> dict[str, Any]:
    return {"count": 1, "next": None, "previous": None, "results": [item]}


TOKENS = {"access": "eyJhbGciOiJIUzI1NiIs...", "refresh": "eyJhbGciOiJIUzI1NiIs..."}
ME = {
    "id": 7,
    "username": "ana",
    "email": "ana@acme.example",
    "role": "client",
    "client_id": 3,
    "client_name": "Acme Foods",
}
CLIENT = {
    "id": 3,
    "name": "Acme Foods",
    "slug": "acme-foods",
    "status": "active",
    "current_cpm": "15.0000",
    "created_at": "2025-01-02T14:03:11Z",
    "updated_at": "2025-03-01T09:12:40Z",
}
CPM_RATE = {
    "id": 12,
    "cpm": "17.5000",
    "effective_date": "2025-03-01",
    "note": "New quarter",
    "set_by": "agency-admin",
    "created_at": "2025-02-27T16:20:00Z",
}
CLIENT_USER = {
    "id": 21,
    "username": "ana",
    "email": "ana@acme.example",
    "first_name": "Ana",
    "last_name": "",
    "role": "client",
    "client_id": 3,
    "is_active": True,
    "last_login": "2025-03-02T08:15:00Z",
}
RUN = {
    "id": 481,
    "client_id": 3,
    "client_name": "Acme Foods",
    "source": "surfside",
    "status": "partial",
    "trigger": "schedule",
    "requested_date": "2025-11-03",
    "date_from": "2025-11-03",
    "date_to": "2025-11-03",
    "file_name": "acme_20251103.csv",
    "rows_read": 496,
    "rows_loaded": 495,
    "rows_failed": 1,
    "rows_replaced": 0,
    "started_at": "2025-11-04T10:00:02Z",
    "finished_at": "2025-11-04T10:00:03Z",
    "timings": {
        "parse": 0.03,
        "validate": 0.01,
        "stage": 0.02,
        "price": 0.0,
        "resolve": 0.02,
        "load": 0.03,
        "commit": 0.0,
        "total": 0.12,
    },
    "message": "495 of 496 rows loaded: 495 new, 0 updated and 0 unchanged metric rows. 1 row "
    "was refused: row 14: Impressions is negative (-5)",
    "warnings": [],
    "resolution_status": "open",
    "resolution_notes": "",
    "resolved_by": None,
    "resolved_at": None,
    "rerun_of": None,
}
ROW_ERRORS = [{"row": 14, "errors": [{"column": "Impressions", "message": "is negative (-5)"}]}]
UPLOAD = {
    "id": 35,
    "client_id": 3,
    "original_name": "Acme-Meta-November.xlsx",
    "size_bytes": 20745,
    "status": "partial",
    "run_id": 482,
    "rows_read": 161,
    "rows_loaded": 160,
    "rows_failed": 1,
    "rows_replaced": 0,
    "message": "160 of 161 rows loaded: 75 new, 0 updated and 0 unchanged "
    "metric rows. 1 row was refused: row 9: Impressions '2,3OO' is not a number",
    "warnings": ["The file's totals row says 119,924 impressions, its rows sum to 82,365."],
    "uploaded_by": "ana",
    "created_at": "2025-12-18T15:40:00Z",
}
BACKFILL = {
    "id": 9,
    "source": "surfside",
    "clients": ["acme-foods"],
    "start_date": "2025-10-01",
    "end_date": "2025-10-03",
    "status": "running",
    "steps_total": 3,
    "steps_done": 1,
    "progress_percent": 33,
    "results": [
        {
            "client": "acme-foods",
            "date": "2025-10-01",
            "run_id": 470,
            "status": "success",
            "rows_loaded": 488,
        }
    ],
    "message": "",
    "created_at": "2025-11-04T11:00:00Z",
    "finished_at": None,
}
AUDIT_ENTRY = {
    "id": 1201,
    "created_at": "2025-03-01T09:12:40Z",
    "username": "agency-admin",
    "action": "create",
    "entity_type": "clients.CpmRate",
    "entity_id": "12",
    "entity_label": "Acme Foods CPM 17.5000 from 2025-03-01",
    "old_values": None,
    "new_values": {
        "client": 3,
        "cpm": "17.5000",
        "effective_date": "2025-03-01",
        "note": "New quarter",
        "days_repriced": "2025-03-01..",
    },
    "ip_address": "203.0.113.9",
    "user_agent": "Mozilla/5.0",
}
HEALTH = {"status": "ok", "database": "ok", "time": "2025-11-04T10:00:00Z"}
