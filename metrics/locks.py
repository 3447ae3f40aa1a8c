"""The one lock order for everything that writes a client's metrics or rates.

Every writer takes, as the first thing in its transaction, PostgreSQL advisory transaction locks
keyed (source namespace, client id), in ascending namespace order (Surfside, then Vibe, then
Facebook), before it writes any row; the locks go at commit or rollback:

* an ingestion run (``ingestion.loader.lock_client_source``) takes its source's lock;
* a CPM rate added, changed or deleted (``metrics.cpm``) re-prices every source of the client,
  so it takes all three, in that order;
* undoing a Facebook upload takes the Facebook lock.

So a CPM change during an ingest waits for the ingest to commit and then re-prices the rows it
loaded, instead of colliding with its uncommitted rollups (or pricing around rows it cannot see
yet); and since every writer takes its locks in the same order before any row lock, two writers
can never wait for each other.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import OperationalError, connection

from campaigns.models import Source

# Advisory-lock namespace per source, in the order locks are taken.
CLIENT_SOURCE_LOCKS: dict[str, int] = {
    Source.SURFSIDE: 7101,
    Source.VIBE: 7102,
    Source.FACEBOOK: 7103,
}


# PostgreSQL's SQLSTATE when ``lock_timeout`` ran out.
LOCK_NOT_AVAILABLE = "55P03"


def lock_client_sources(
    *, client_id: int, sources: Iterable[str] | None = None, wait_seconds: float | None = None
) -> None:
    """Block until no other writer holds the client's lock of any of ``sources`` (default: every
    source), taking them in the one order; released at commit. Call inside a transaction.

    ``wait_seconds``: give up after that long (``OperationalError`` with SQLSTATE
    ``LOCK_NOT_AVAILABLE``; see ``waited_too_long``), for a web request that must answer within
    its timeout while an ingestion holds the lock."""
    wanted = set(CLIENT_SOURCE_LOCKS if sources is None else sources)
    namespaces = sorted(CLIENT_SOURCE_LOCKS[source] for source in wanted)
    with connection.cursor() as cursor:
        if wait_seconds is not None:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [f"{wait_seconds}s"])
        for namespace in namespaces:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [namespace, client_id])
    if wait_seconds is not None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', '0', true)")


def waited_too_long(error: OperationalError) -> bool:
    """Whether ``error`` is ``lock_client_sources`` giving up after ``wait_seconds``."""
    return getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE
