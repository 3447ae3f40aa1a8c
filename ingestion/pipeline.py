"""The one pipeline every source goes through (SPEC section 4):
parse -> validate -> stage -> resolve -> price -> load -> log -> alert.

``run_ingestion`` is the entry point for files (S3 downloads, uploads, local files, Vibe reports).
The run row is committed first so an admin sees it while it works; everything that writes data
happens in one transaction under a per-client-and-source lock, so a failure leaves the previous
data and two runs never interleave.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from campaigns.models import Source
from clients.models import Client
from core import leases
from ingestion import loader
from ingestion.adapters.base import ParsedFile, SourceFileError
from ingestion.adapters.registry import check_source_file, parse_source_file
from ingestion.alerts import alert_for_run
from ingestion.models.runs import IngestionRun, RunStatus, RunTrigger
from ingestion.validation import LISTED_ROWS, ValidatedRows, validate_rows
from metrics.restatements import load_reason
from metrics.rollups import rollups_refresh

logger = logging.getLogger(__name__)


class _Timer:
    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self._started = time.perf_counter()

    @contextmanager
    def stage(self, name: str) -> Any:
        started = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - started
            self.timings[name] = round(self.timings.get(name, 0) + spent, 4)

    def total(self) -> dict[str, float]:
        return {**self.timings, "total": round(time.perf_counter() - self._started, 4)}


def is_uploaded(source: str) -> bool:
    """Whether ``source`` arrives as a file a person uploads (Facebook), rather than by a
    scheduled pull (Surfside, Vibe): its refusals are that person's to mend (SPEC 9)."""
    return source == Source.FACEBOOK


def start_run(
    *,
    client: Client,
    source: str,
    trigger: str,
    triggered_by: User | None = None,
    requested_date: dt.date | None = None,
    file_name: str = "",
    file_key: str = "",
    rerun_of: IngestionRun | None = None,
    lease: bool = True,
) -> IngestionRun:
    """The committed status row of a run that is about to happen, leased to this process (unless
    ``lease`` is false: a run queued for a worker, leased to the queue until the worker takes the
    lease over, so a task the broker loses leaves a run the sweeper fails)."""
    run = IngestionRun.objects.create(
        client=client,
        source=source,
        trigger=trigger,
        triggered_by=triggered_by,
        requested_date=requested_date,
        file_name=file_name[:500],
        file_key=file_key[:1024],
        rerun_of=rerun_of,
    )
    if lease:
        leases.take(leases.INGESTION_RUN, run.pk)
    else:
        leases.take_queued(leases.INGESTION_RUN, run.pk)
    return run


def adopt_run(run: IngestionRun) -> None:
    """This process now works on ``run`` (created by a request, continued by a worker)."""
    leases.take(leases.INGESTION_RUN, run.pk)


def finish_run(run: IngestionRun, *, status: str, message: str, **fields: Any) -> IngestionRun:
    run.status = status
    run.message = message
    run.finished_at = timezone.now()
    for name, value in fields.items():
        setattr(run, name, value)
    run.save()
    logger.info(
        "ingestion run=%s client=%s source=%s status=%s read=%s loaded=%s failed=%s",
        run.pk,
        run.client_id,
        run.source,
        run.status,
        run.rows_read,
        run.rows_loaded,
        run.rows_failed,
    )
    # Alerts go out, and the lease goes, once the run's outcome is committed (at once when no
    # transaction is open; never if it rolls back, when the caller fails the run instead).
    transaction.on_commit(lambda: alert_for_run(run))
    transaction.on_commit(lambda: leases.release(leases.INGESTION_RUN, run.pk))
    return run


def run_ingestion(
    *,
    client: Client,
    source: str,
    content: bytes,
    file_name: str,
    trigger: str = RunTrigger.MANUAL,
    triggered_by: User | None = None,
    requested_date: dt.date | None = None,
    file_key: str = "",
    run: IngestionRun | None = None,
    today: Callable[[], dt.date] = timezone.localdate,
) -> IngestionRun:
    """Ingest one file's bytes for ``client`` from ``source`` and return the finished run."""
    if run is None:
        run = start_run(
            client=client,
            source=source,
            trigger=trigger,
            triggered_by=triggered_by,
            requested_date=requested_date,
            file_name=file_name,
            file_key=file_key,
        )
    else:
        adopt_run(run)
    timer = _Timer()
    try:
        with timer.stage("parse"):
            parsed = parse_source_file(
                source=source, content=content, file_name=file_name, client=client
            )
            check_source_file(
                source=source, client=client, parsed=parsed, by=triggered_by or run.triggered_by
            )
        with timer.stage("validate"):
            validated = validate_rows(parsed, today=today())
        return _load(run, client, source, parsed, validated, timer)
    except SourceFileError as error:
        return finish_run(
            run,
            status=RunStatus.FAILED,
            message=str(error),
            timings=timer.total(),
            refused=is_uploaded(source),
        )
    except Exception:
        logger.exception("ingestion run %s failed unexpectedly", run.pk)
        return finish_run(
            run,
            status=RunStatus.FAILED,
            message=(
                f"The run failed unexpectedly and nothing was changed (run #{run.pk}; the error "
                "is in the server log). Re-run it; if it fails again, contact the developers."
            ),
            timings=timer.total(),
        )


def _load(
    run: IngestionRun,
    client: Client,
    source: str,
    parsed: ParsedFile,
    validated: ValidatedRows,
    timer: _Timer,
) -> IngestionRun:
    rows_read = len(parsed.rows)
    row_errors = dict(validated.errors)
    with transaction.atomic():
        loader.lock_client_source(client_id=client.pk, source=source)
        with timer.stage("stage"):
            loader.stage(parsed=parsed, validated=validated)
        with timer.stage("price"):
            unpriced = loader.refuse_unpriced(
                client_id=client.pk,
                client_name=client.name,
                date_header=parsed.headers.get("date", "date"),
            )
            too_large = loader.refuse_too_large(
                client_id=client.pk, column=parsed.headers.get("impressions", "impressions")
            )
        by_number: dict[int, int] = {}
        if unpriced or too_large:
            by_number = dict(zip(parsed.rows["row_number"], parsed.rows.index, strict=True))
        for row_number in unpriced:
            day = parsed.rows.at[by_number[row_number], "date"].date()
            row_errors[int(by_number[row_number])] = [
                {
                    "column": parsed.headers.get("date", "date"),
                    "message": f"no CPM in effect on {day}: add a CPM rate for {client.name} "
                    f"starting on or before {day}, then re-run",
                }
            ]
        for row_number in too_large:
            row_errors[int(by_number[row_number])] = [
                {
                    "column": parsed.headers.get("impressions", "impressions"),
                    "message": loader.TOO_LARGE_MESSAGE,
                }
            ]
        with timer.stage("stage"):
            loader.keep_refused(run_id=run.pk, parsed=parsed, errors=row_errors)
        with timer.stage("resolve"):
            loader.resolve_hierarchy(client_id=client.pk, source=source)
        with timer.stage("load"):
            result = loader.load(client_id=client.pk, source=source, run_id=run.pk)
        with timer.stage("rollups"):
            if result.first_day is not None:
                rollups_refresh(
                    client_id=client.pk,
                    date_from=result.first_day,
                    date_to=result.last_day,
                    source=source,
                    reason=load_reason(
                        source=source,
                        first_day=result.first_day,
                        last_day=result.last_day or result.first_day,
                        file_name=run.file_name,
                        replaced=result.updated > 0,
                    ),
                    by_id=run.triggered_by_id,
                )
        loaded_rows = rows_read - len(row_errors)
        dates = parsed.rows["date"].dropna()
        first_day = result.first_day or (dates.min().date() if not dates.empty else None)
        last_day = result.last_day or (dates.max().date() if not dates.empty else None)
        fields = {
            "columns": [str(column) for column in parsed.raw.columns],
            "rows_read": rows_read,
            "rows_loaded": loaded_rows,
            "rows_failed": len(row_errors),
            "rows_replaced": result.updated,
            "date_from": first_day,
            "date_to": last_day,
            "warnings": validated.warnings,
            "timings": timer.total(),
        }
        status, message = _outcome(rows_read, loaded_rows, row_errors, parsed, result)
        # Rows refused for their content are the uploader's to mend; rows without a CPM in
        # effect are the agency's (an admin adds the rate), so those still alert.
        fields["refused"] = is_uploaded(source) and status != RunStatus.SUCCESS and not unpriced
        finish_run(run, status=status, message=message, **fields)
        committing = time.perf_counter()
    # Deferred constraint checks run at commit: part of the run's cost, so part of its timings.
    run.timings = {**run.timings, "commit": round(time.perf_counter() - committing, 4)}
    run.timings["total"] = round(run.timings["total"] + run.timings["commit"], 4)
    IngestionRun.objects.filter(pk=run.pk).update(timings=run.timings)
    return run


def _outcome(
    rows_read: int,
    loaded: int,
    row_errors: dict[int, list[dict[str, str]]],
    parsed: ParsedFile,
    result: loader.LoadResult,
) -> tuple[str, str]:
    if rows_read == 0:
        return RunStatus.FAILED, "The file has no data rows (only a header or totals row)."
    summary = (
        f"{loaded:,} of {rows_read:,} rows loaded: {result.inserted:,} new, {result.updated:,} "
        f"updated and {result.unchanged:,} unchanged metric rows."
    )
    if not row_errors:
        return RunStatus.SUCCESS, summary
    first = sorted(row_errors)[:LISTED_ROWS]
    numbers = parsed.rows["row_number"]
    examples = "; ".join(
        f"row {numbers[index]}: "
        + ", ".join(f"{error['column']} {error['message']}" for error in row_errors[index])
        for index in first
    )
    if loaded == 0:
        return RunStatus.FAILED, f"None of the {rows_read:,} rows could be loaded. {examples}"
    refused = "1 row was" if len(row_errors) == 1 else f"{len(row_errors):,} rows were"
    return RunStatus.PARTIAL, f"{summary} {refused} refused: {examples}"
