"""Daily metrics partitioned by month (PARTITION BY RANGE (date)), existing rows moved across.

Written column-agnostic (``LIKE ... INCLUDING DEFAULTS INCLUDING CONSTRAINTS`` and
``INSERT ... SELECT *``) so it runs whichever columns other migrations have added or dropped. The
primary key becomes (id, date), the natural key already holds ``date``; no foreign key constraint
is created on the partitioned table (the model says ``db_constraint=False`` for every reference).
Partitions: one per month from the first stored month to three months ahead, and a DEFAULT one, so
any date can be stored right after ``migrate``; ``metrics.partitions.partitions_ensure`` (a
nightly job) keeps creating the months ahead.
"""

import datetime as dt

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

TABLE = "metrics_dailymetric"
OLD = "metrics_dailymetric_unpartitioned"
MONTHS_AHEAD = 3
NATURAL_KEY = "client_id, date, source, campaign_id, strategy_id, placement_id, creative_id"


def _next_month(first):
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def partition(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
        # The identity sequence (or serial) of the old table keeps its name otherwise.
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [OLD])
        (old_sequence,) = cursor.fetchone()
        if old_sequence:
            cursor.execute(f"ALTER SEQUENCE {old_sequence} RENAME TO {OLD}_id_seq")
        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
            "PARTITION BY RANGE (date)"
        )
        cursor.execute(f"CREATE SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id")
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{TABLE}_id_seq')")
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
        cursor.execute(f"SELECT min(date), max(date), max(id) FROM {OLD}")
        first_day, last_day, last_id = cursor.fetchone()
        this_month = timezone.localdate().replace(day=1)
        month = min(first_day.replace(day=1), this_month) if first_day else this_month
        last = max(last_day.replace(day=1), this_month) if last_day else this_month
        for _ in range(MONTHS_AHEAD):
            last = _next_month(last)
        while month <= last:
            following = _next_month(month)
            cursor.execute(
                f"CREATE TABLE {TABLE}_y{month:%Y}m{month:%m} PARTITION OF {TABLE} "
                f"FOR VALUES FROM ('{month.isoformat()}') TO ('{following.isoformat()}')"
            )
            month = following
        cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM {OLD}")
        cursor.execute(f"DROP TABLE {OLD}")
        if last_id is not None:
            cursor.execute(f"SELECT setval('{TABLE}_id_seq', %s)", [last_id])
        # Indexes after the rows: one build per partition instead of 50,000 inserts into each.
        cursor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, date)")
        cursor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT daily_metric_natural_key UNIQUE ({NATURAL_KEY})"
        )
        cursor.execute(
            f"CREATE INDEX daily_metric_client_src_date ON {TABLE} (client_id, source, date)"
        )
        cursor.execute(f"ANALYZE {TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0001_initial"),
        ("ingestion", "0001_initial"),
        ("metrics", "0005_alter_dailymetric_client"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="dailymetric",
                    name="client",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="clients.client",
                    ),
                ),
                migrations.AlterField(
                    model_name="dailymetric",
                    name="ingestion_run",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        help_text=(
                            "The run that last wrote this row (it may have been purged since)."
                        ),
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="ingestion.ingestionrun",
                    ),
                ),
            ],
        ),
        # Irreversible: going back would need the rows copied out of the partitions again.
        migrations.RunPython(partition, elidable=False),
    ]
