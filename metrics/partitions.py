"""Monthly partitions of the daily metrics (``metrics_dailymetric``, PARTITION BY RANGE (date)).

Each calendar month has its own partition, ``metrics_dailymetric_yYYYYmMM``; a DEFAULT partition
takes any day whose month has none yet, so a plain ``migrate`` stores every date. The nightly
``partitions_ensure`` (operations scheduling, job ``partitions``) creates the coming months ahead
and moves the rows of any month found in the DEFAULT partition into a partition of its own, so
retention can archive a month and drop its partition instead of deleting rows (recorded as an
``ArchivedMonth``: the outputs that read detail refuse the days before it, with a message).

The table's primary key is ``(id, date)`` (PostgreSQL requires the partition key in every unique
constraint); the model keeps ``id`` as its primary key for Django, and ids stay unique because
they come from one sequence. No foreign key constraint exists on the table (the loader checks the
references it writes; Django cascades deletes through the ORM).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max

from metrics.models import ArchivedMonth

TABLE = "metrics_dailymetric"
DEFAULT_PARTITION = f"{TABLE}_default"
# The months created ahead of today's: a load never lands in the DEFAULT partition in practice.
MONTHS_AHEAD = 3
# How long partition DDL waits for the table's locks before giving up (the next run retries).
LOCK_TIMEOUT = "10s"
_NAME = re.compile(rf"^{TABLE}_y(\d{{4}})m(\d{{2}})$")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def partition_name(month: dt.date) -> str:
    return f"{TABLE}_y{month:%Y}m{month:%m}"


@dataclass(frozen=True)
class MonthPartition:
    name: str
    month: dt.date  # first day; the partition holds [month, next_month(month))


def month_partitions() -> list[MonthPartition]:
    """The monthly partitions attached to the table, oldest first."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = %s::regclass
            """,
            [TABLE],
        )
        names = [row[0] for row in cursor.fetchall()]
    found = []
    for name in names:
        match = _NAME.match(name)
        if match:
            found.append(MonthPartition(name, dt.date(int(match[1]), int(match[2]), 1)))
    return sorted(found, key=lambda partition: partition.month)


def months_in_default(*, before: dt.date | None = None) -> list[dt.date]:
    """The months that have rows in the DEFAULT partition (before ``before`` when given)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT DISTINCT date_trunc('month', date)::date FROM {DEFAULT_PARTITION}
            WHERE %(before)s::date IS NULL OR date < %(before)s::date ORDER BY 1
            """,
            {"before": before},
        )
        return [row[0] for row in cursor.fetchall()]


def partition_month(month: dt.date) -> bool:
    """Give ``month`` a partition of its own unless it has one, moving its rows out of the
    DEFAULT partition in the same transaction. Returns whether a partition was created. Writes
    routed to the DEFAULT partition wait meanwhile (its lock), so no row is left behind."""
    first = month_start(month)
    following = next_month(first)
    name = partition_name(first)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_TIMEOUT])
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if cursor.fetchone()[0]:
            return False
        bounds = f"date >= '{first.isoformat()}' AND date < '{following.isoformat()}'"
        cursor.execute(f"LOCK TABLE {DEFAULT_PARTITION} IN EXCLUSIVE MODE")
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {DEFAULT_PARTITION} WHERE {bounds})")
        if not cursor.fetchone()[0]:
            cursor.execute(
                f"CREATE TABLE {name} PARTITION OF {TABLE} "
                f"FOR VALUES FROM ('{first.isoformat()}') TO ('{following.isoformat()}')"
            )
            return True
        # The month's rows are in the DEFAULT partition: copy them to a new table, remove them
        # there, then attach the table (the CHECK spares ATTACH a scan of the copied rows).
        cursor.execute(
            f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )
        cursor.execute(f"INSERT INTO {name} SELECT * FROM {DEFAULT_PARTITION} WHERE {bounds}")
        cursor.execute(f"DELETE FROM {DEFAULT_PARTITION} WHERE {bounds}")
        cursor.execute(f"ALTER TABLE {name} ADD CONSTRAINT {name}_bounds CHECK ({bounds})")
        cursor.execute(
            f"ALTER TABLE {TABLE} ATTACH PARTITION {name} "
            f"FOR VALUES FROM ('{first.isoformat()}') TO ('{following.isoformat()}')"
        )
        cursor.execute(f"ALTER TABLE {name} DROP CONSTRAINT {name}_bounds")
        cursor.execute(f"ANALYZE {name}")
    return True


def partitions_ensure(*, today: dt.date, months_ahead: int = MONTHS_AHEAD) -> list[dt.date]:
    """Create the partitions of ``today``'s month and the ``months_ahead`` after it, and of every
    month found in the DEFAULT partition. Idempotent; returns the months it created."""
    wanted = [month_start(today)]
    for _ in range(months_ahead):
        wanted.append(next_month(wanted[-1]))
    months = sorted(set(wanted) | set(months_in_default()))
    return [month for month in months if partition_month(month)]


def detach_and_drop(month: dt.date) -> None:
    """Detach ``month``'s partition and drop it: its rows are gone at once, whatever their number,
    and no other month is read. Run inside the caller's transaction (which archived the rows)."""
    name = partition_name(month_start(month))
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_TIMEOUT])
        cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {name}")
        cursor.execute(f"DROP TABLE {name}")
    ArchivedMonth.objects.get_or_create(month=month_start(month))


def detail_kept_from() -> dt.date | None:
    """The first day after the latest archived month (None: no month archived yet)."""
    latest = ArchivedMonth.objects.aggregate(latest=Max("month"))["latest"]
    return next_month(latest) if latest else None
