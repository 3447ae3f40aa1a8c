"""Writes of the Surfside source: where a client's files are delivered, and a day's pull."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.audit import audit_record, changed_values, snapshot
from accounts.models import AuditAction, User
from campaigns.models import Source
from clients.models import Client
from ingestion.models.runs import IngestionRun, RunStatus
from ingestion.pipeline import adopt_run, finish_run, run_ingestion, start_run
from ingestion.sources.surfside import s3
from ingestion.sources.surfside.models import SurfsideConnection

SURFSIDE_AUDIT_FIELDS = ["bucket", "prefix", "file_pattern", "campaign_name", "is_enabled"]


def surfside_connection_set(
    *,
    client: Client,
    bucket: str,
    prefix: str,
    file_pattern: str,
    campaign_name: str,
    by: User | None,
    is_enabled: bool = True,
) -> SurfsideConnection:
    """Create or change where a client's Surfside files are delivered."""
    connection = SurfsideConnection.objects.filter(client=client).first()
    before = snapshot(connection, SURFSIDE_AUDIT_FIELDS) if connection else {}
    connection = connection or SurfsideConnection(client=client)
    connection.bucket = bucket.strip()
    connection.prefix = prefix.strip()
    connection.file_pattern = file_pattern.strip()
    connection.campaign_name = campaign_name.strip()
    connection.is_enabled = is_enabled
    connection.full_clean()
    try:
        s3.expected_key(connection, timezone.localdate())
    except s3.DeliveryError as error:
        raise ValidationError({"file_pattern": str(error)}) from None
    with transaction.atomic():
        connection.save()
        old, new = changed_values(before, snapshot(connection, SURFSIDE_AUDIT_FIELDS))
        if new:
            audit_record(
                actor=by,
                action=AuditAction.UPDATE if before else AuditAction.CREATE,
                entity=connection,
                entity_label=f"Surfside connection of {client}",
                old=old,
                new=new,
            )
    return connection


def surfside_ingest_day(
    *,
    client: Client,
    day: dt.date,
    trigger: str,
    triggered_by: User | None = None,
    run: IngestionRun | None = None,
) -> IngestionRun:
    """Fetch and load the client's Surfside file for ``day`` (continuing ``run`` if given).

    No file delivered: the run ends ``missing_file`` and an alert goes out; nothing else changes.
    """
    connection = SurfsideConnection.objects.filter(client=client).first()
    if run is None:
        run = start_run(
            client=client,
            source=Source.SURFSIDE,
            trigger=trigger,
            triggered_by=triggered_by,
            requested_date=day,
        )
    else:
        adopt_run(run)
    if connection is None:
        return finish_run(
            run,
            status=RunStatus.FAILED,
            message=f"{client} has no Surfside connection. Add one (bucket, prefix, file "
            "pattern) in the admin, then re-run.",
        )
    try:
        delivery = s3.find_delivery(connection, day)
        if delivery is None:
            return finish_run(
                run,
                status=RunStatus.MISSING_FILE,
                requested_date=day,
                file_key=s3.expected_key(connection, day),
                message=f"No file delivered for {day}: nothing matches "
                f"s3://{connection.bucket}/{s3.expected_key(connection, day)}.",
            )
        run.file_name = delivery.file_name[:500]
        run.file_key = delivery.key[:1024]
        run.save(update_fields=["file_name", "file_key", "updated_at"])
        content = s3.download(connection, delivery)
    except s3.DeliveryError as error:
        return finish_run(run, status=RunStatus.FAILED, message=str(error))
    return run_ingestion(
        client=client,
        source=Source.SURFSIDE,
        content=content,
        file_name=delivery.file_name,
        run=run,
    )
