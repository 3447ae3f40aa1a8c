"""Ingestion models, one module per concern; import them from here."""

from ingestion.models.backfill import BackfillJob, BackfillStatus
from ingestion.models.runs import (
    IngestionRun,
    ResolutionStatus,
    RunStatus,
    RunTrigger,
    StagingRow,
)
from ingestion.models.surfside import SurfsideConnection
from ingestion.models.uploads import FacebookUpload, UploadStatus, upload_storage_name

__all__ = [
    "BackfillJob",
    "BackfillStatus",
    "FacebookUpload",
    "IngestionRun",
    "ResolutionStatus",
    "RunStatus",
    "RunTrigger",
    "StagingRow",
    "SurfsideConnection",
    "UploadStatus",
    "upload_storage_name",
]
