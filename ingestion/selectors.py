"""Reads of ingestion records for the pages, always given the clients in scope."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from clients.models import Client
from ingestion.models import FacebookUpload, IngestionRun, StagingRow

REFUSED_ROWS_SHOWN = 100


def uploads_of(*, clients: QuerySet[Client]) -> QuerySet[FacebookUpload]:
    """The clients' Facebook uploads, newest first, with what their list shows joined in."""
    return (
        FacebookUpload.objects.filter(client__in=clients)
        .select_related("client", "run", "uploaded_by")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class RefusedRow:
    """A source row the pipeline refused: its number as a spreadsheet shows it, and why."""

    row_number: int
    problems: list[str]


def refused_rows(run: IngestionRun, limit: int = REFUSED_ROWS_SHOWN) -> list[RefusedRow]:
    """The first ``limit`` refused rows of a run, in file order (one query)."""
    rows = StagingRow.objects.filter(run=run, is_valid=False).order_by("row_number")[:limit]
    return [
        RefusedRow(
            row_number=row.row_number,
            problems=[
                f"{error['column']}: {error['message']}"
                if error.get("column")
                else error["message"]
                for error in row.errors or []
            ],
        )
        for row in rows
    ]
