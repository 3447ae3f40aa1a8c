"""Ingestion models, one module per concern; import them from here."""

from ingestion.models.backfill import BackfillJob, BackfillStatus
from ingestion.models.runs import (
    IngestionRun,
    ResolutionStatus,
    RunStatus,
    RunTrigger,
    StagingRow,
)
from ingestion.sources.facebook.models import (
    FacebookAdAccount,
    FacebookUpload,
    UploadStatus,
    upload_storage_name,
)
from ingestion.sources.surfside.models import SurfsideConnection
from ingestion.sources.vibe.models import (
    ACTIVE_STATES,
    ReportState,
    VibeConnection,
    VibeKeyBudget,
    VibeReportRequest,
)

__all__ = [
    "ACTIVE_STATES",
    "BackfillJob",
    "BackfillStatus",
    "FacebookAdAccount",
    "FacebookUpload",
    "IngestionRun",
    "ReportState",
    "ResolutionStatus",
    "RunStatus",
    "RunTrigger",
    "StagingRow",
    "SurfsideConnection",
    "UploadStatus",
    "VibeConnection",
    "VibeKeyBudget",
    "VibeReportRequest",
    "upload_storage_name",
]
