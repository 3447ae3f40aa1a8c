"""The database half of the pipeline: stage, price, resolve and load, all set-based.

Everything here runs inside the run's transaction. The run's rows go into a temporary table with
one COPY (row number, errors, and for valid rows the canonical values; refused rows alone are
kept, with their raw cells, in ``ingestion_stagingrow``); from there the hierarchy is
resolved with ``INSERT ... SELECT ... ON CONFLICT DO NOTHING``, rows dated before the client's
first CPM are refused in one UPDATE, and the metrics are upserted on their natural key after
summing rows that share it (breakdown rows), priced by joining the CPM periods. Nothing is
deleted: a run only replaces the rows it carries.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
import pyarrow as pa
from django.db import connection
from pyarrow import csv as pa_csv

from ingestion.adapters.base import COUNT_COLUMNS, ParsedFile
from ingestion.adapters.cleaning import as_text
from ingestion.validation import ValidatedRows
from metrics.formulas import sql_spend
from metrics.locks import CLIENT_SOURCE_LOCKS, lock_client_sources
from metrics.pricing import RATE_PERIODS_SQL

# Advisory-lock namespace per source: runs of one client and source never interleave (the one
# lock order every writer of a client's figures follows is in ``metrics.locks``).
_LOCK_NAMESPACE: dict[str, int] = CLIENT_SOURCE_LOCKS

_CANONICAL = (
    "date",
    "campaign",
    "strategy",
    "placement",
    "creative",
    "creative_size",
    "impressions",
    "clicks",
    "conversions",
    "revenue",
    "source_spend",
)


def lock_client_source(*, client_id: int, source: str) -> None:
    """Block until no other run of this client and source is loading, nor a CPM change of the
    client re-pricing (released at commit)."""
    lock_client_sources(client_id=client_id, sources=[source])


def copy_frame(sql: str, frame: pd.DataFrame) -> None:
    """COPY ``frame`` (CSV; None/NaN -> NULL, strings always quoted) with ``sql``.

    Arrow's C++ CSV writer formats 50,000 rows in milliseconds; pandas' own writer takes ~20x
    longer.
    """
    table = pa.Table.from_pandas(frame, preserve_index=False)
    buffer = io.BytesIO()
    pa_csv.write_csv(table, buffer, pa_csv.WriteOptions(include_header=False))
    with connection.cursor() as cursor:
        raw_cursor: Any = cursor.cursor
        with raw_cursor.copy(sql) as copy:
            copy.write(buffer.getbuffer())


def stage(*, parsed: ParsedFile, validated: ValidatedRows) -> None:
    """The rows into the temporary table ``incoming`` (dropped at commit) with one COPY: row
    number, validity, errors and the canonical values of the valid rows. The raw cells stay in
    the file (the raw record, kept in storage); only refused rows keep theirs, in
    ``keep_refused``."""
    rows = parsed.rows
    invalid = rows.index.isin(list(validated.errors))
    frame = pd.DataFrame(
        {
            "row_number": rows["row_number"].to_numpy(),
            "is_valid": ~invalid,
            "errors": [
                json.dumps(validated.errors[index]) if index in validated.errors else None
                for index in rows.index
            ]
            if validated.errors
            else None,
        },
        index=rows.index,
    )
    valid = validated.valid.astype(dict.fromkeys(COUNT_COLUMNS, "Int64"))
    canonical = valid[list(_CANONICAL)].reindex(rows.index)
    # Unknown platform spend is NULL, not an empty number.
    canonical["source_spend"] = canonical["source_spend"].mask(
        canonical["source_spend"] == "", None
    )
    frame = pd.concat([frame, canonical], axis=1)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(
            """
            DROP TABLE IF EXISTS incoming;  -- a caller's outer transaction may still hold one
            CREATE TEMP TABLE incoming (
                row_number integer, is_valid boolean, errors jsonb,
                date date, campaign text, strategy text, placement text, creative text,
                creative_size text, impressions bigint, clicks bigint, conversions bigint,
                revenue numeric, source_spend numeric
            ) ON COMMIT DROP
            """
        )
    copy_frame(f"COPY incoming ({', '.join(frame.columns)}) FROM STDIN WITH (FORMAT csv)", frame)
    with connection.cursor() as cursor:
        # Statistics for the columns the joins use.
        cursor.execute(
            "ANALYZE incoming (is_valid, date, campaign, strategy, placement, creative, "
            "creative_size)"
        )


def refuse_unpriced(*, client_id: int, client_name: str, date_header: str) -> list[int]:
    """Refuse the rows dated before the client's first CPM rate (no CPM is in effect on them);
    return their row numbers."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE incoming SET is_valid = false, errors = jsonb_build_array(
                jsonb_build_object(
                    'column', %(date_header)s::text,
                    'message', 'no CPM in effect on ' || date || ': add a CPM rate for '
                        || %(client_name)s::text || ' starting on or before ' || date
                        || ', then re-run'))
            WHERE is_valid AND date < coalesce(
                (SELECT min(effective_date) FROM clients_cpmrate WHERE client_id = %(client_id)s),
                'infinity'::date)
            RETURNING row_number
            """,
            {"client_id": client_id, "client_name": client_name, "date_header": date_header},
        )
        return [number for (number,) in cursor.fetchall()]


# numeric(18,6) stores less than 10^12; bigint far more, but validation caps counts at 10^15.
_STORED_LIMIT = 10**12
_COUNT_LIMIT = 10**15
TOO_LARGE_MESSAGE = (
    "is too large once priced: with the rows sharing its day, campaign, strategy, placement and "
    "creative, its spend would reach 1,000,000,000,000, more than the dashboard stores"
)


_BOUNDS_SQL = """
    SELECT coalesce(sum(impressions), 0), coalesce(sum(clicks), 0),
           coalesce(sum(conversions), 0), coalesce(sum(abs(revenue)), 0),
           coalesce(sum(abs(coalesce(source_spend, 0))), 0),
           (SELECT max(cpm) FROM clients_cpmrate WHERE client_id = %(client_id)s)
    FROM incoming WHERE is_valid
"""


def _could_overflow(client_id: int) -> bool:
    """Whether any key could overflow, by a bound taken in one scan: every valid row summed into
    one key, priced at the client's highest rate. Spend is no longer stored per row, but the
    rollups store it (numeric(18,6)) and a key's spend is part of its day's rollup, so a key whose
    spend cannot be stored is refused. Real files stay many orders of magnitude below, so the
    exact (grouped and priced) check runs only when needed."""
    with connection.cursor() as cursor:
        cursor.execute(_BOUNDS_SQL, {"client_id": client_id})
        impressions, clicks, conversions, revenue, source_spend, top_cpm = cursor.fetchone()
    # No rate: every row was refused as unpriced.
    spend = Decimal(impressions) * top_cpm / 1000 if top_cpm is not None else Decimal(0)
    largest = max(spend, Decimal(revenue), Decimal(source_spend))
    return largest >= _STORED_LIMIT or max(impressions, clicks, conversions) >= _COUNT_LIMIT


def refuse_too_large(*, client_id: int, column: str) -> list[int]:
    """Refuse the rows whose key, summed and priced, would not fit the metric columns (a value
    each row passed validation with can still overflow once multiplied by the CPM or summed);
    return their row numbers. Without this such a file fails the whole run."""
    if not _could_overflow(client_id):
        return []
    key = "date, campaign, strategy, placement, creative, creative_size"
    measures = ", ".join(
        [
            "spend",
            "abs(revenue)",
            "abs(coalesce(source_spend, 0))",
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH summed AS (
                SELECT {key}, sum(impressions) AS impressions, sum(clicks) AS clicks,
                       sum(conversions) AS conversions, sum(revenue) AS revenue,
                       sum(source_spend) AS source_spend
                FROM incoming WHERE is_valid
                GROUP BY {key}
            ),
            periods AS ({RATE_PERIODS_SQL}),
            priced AS (
                SELECT m.*, {sql_spend("m.impressions", "p.cpm")} AS spend
                FROM summed m
                JOIN periods p ON m.date >= p.starts AND (p.ends IS NULL OR m.date < p.ends)
            ),
            too_large AS (
                SELECT {key} FROM priced
                WHERE greatest({measures}) >= %(stored_limit)s
                   OR greatest(impressions, clicks, conversions) >= %(count_limit)s
            )
            UPDATE incoming i SET is_valid = false, errors = jsonb_build_array(
                jsonb_build_object('column', %(column)s::text, 'message', %(message)s::text))
            FROM too_large t
            WHERE i.is_valid AND (i.date, i.campaign, i.strategy, i.placement, i.creative,
                                  i.creative_size)
                = (t.date, t.campaign, t.strategy, t.placement, t.creative, t.creative_size)
            RETURNING i.row_number
            """,
            {
                "client_id": client_id,
                "column": column,
                "message": TOO_LARGE_MESSAGE,
                "stored_limit": _STORED_LIMIT,
                "count_limit": _COUNT_LIMIT,
            },
        )
        return [number for (number,) in cursor.fetchall()]


def keep_refused(
    *, run_id: int, parsed: ParsedFile, errors: dict[int, list[dict[str, str]]]
) -> None:
    """The refused rows into ``ingestion_stagingrow`` with one COPY: source row number, the raw
    cells as JSON under the file's own headers, and the errors. Valid rows need no second copy:
    the stored file is the raw record, and a re-run reads it again."""
    if not errors:
        return
    index = sorted(errors)
    raw = parsed.raw.loc[index]
    headers = [str(column) for column in raw.columns]
    texts = [as_text(raw[column]).tolist() for column in raw.columns]
    frame = pd.DataFrame(
        {
            "run_id": run_id,
            "row_number": parsed.rows.loc[index, "row_number"].to_numpy(),
            "raw": [
                json.dumps(dict(zip(headers, cells, strict=True)))
                for cells in zip(*texts, strict=True)
            ]
            if texts
            else ["{}"] * len(index),
            "errors": [json.dumps(errors[position]) for position in index],
            "is_valid": False,
        }
    )
    copy_frame(
        "COPY ingestion_stagingrow (run_id, row_number, raw, errors, is_valid) FROM STDIN "
        "WITH (FORMAT csv)",
        frame,
    )


_JOIN_CAMPAIGN = (
    "JOIN campaigns_campaign c ON c.client_id = %(client_id)s AND c.source = %(source)s "
    "AND c.name = r.campaign"
)
_JOIN_STRATEGY = "JOIN campaigns_strategy s ON s.campaign_id = c.id AND s.name = r.strategy"
_JOIN_PLACEMENT = "JOIN campaigns_placement p ON p.strategy_id = s.id AND p.name = r.placement"
_JOIN_CREATIVE = (
    "JOIN campaigns_creative k ON k.placement_id = p.id AND k.name = r.creative "
    "AND k.size = r.creative_size"
)


# The run's few placements (hundreds) resolved once, behind a fence (OFFSET 0): the creatives'
# keys (tens of thousands) then meet them in one hash join, where joining each key through
# campaign, strategy and placement became, as the tables grew, a nested loop of 50,000 index
# probes per level.
_PLACES = f"""(
    SELECT r.campaign, r.strategy, r.placement, p.id
    FROM (SELECT DISTINCT campaign, strategy, placement FROM incoming WHERE is_valid) r
    {_JOIN_CAMPAIGN} {_JOIN_STRATEGY} {_JOIN_PLACEMENT}
    OFFSET 0
) places"""


def resolve_hierarchy(*, client_id: int, source: str) -> None:
    """Create the campaigns, strategies, placements and creatives the run's rows name.

    The small levels are analysed once written, so the next join is not planned as if they
    were empty; creatives (large, sampled at a cost of up to a second) are reached through
    their natural-key index whatever the statistics say.
    """
    params: dict[str, Any] = {"client_id": client_id, "source": source}
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO campaigns_campaign (client_id, source, name, created_at, updated_at)
            SELECT %(client_id)s, %(source)s, campaign, now(), now() FROM incoming WHERE is_valid
            GROUP BY campaign
            ON CONFLICT (client_id, source, name) DO NOTHING;
            ANALYZE campaigns_campaign;

            INSERT INTO campaigns_strategy (campaign_id, name, created_at, updated_at)
            SELECT c.id, r.strategy, now(), now()
            FROM (SELECT DISTINCT campaign, strategy FROM incoming WHERE is_valid) r
            {_JOIN_CAMPAIGN}
            ON CONFLICT (campaign_id, name) DO NOTHING;
            ANALYZE campaigns_strategy;

            INSERT INTO campaigns_placement (strategy_id, name, created_at, updated_at)
            SELECT s.id, r.placement, now(), now()
            FROM (SELECT DISTINCT campaign, strategy, placement FROM incoming WHERE is_valid) r
            {_JOIN_CAMPAIGN} {_JOIN_STRATEGY}
            ON CONFLICT (strategy_id, name) DO NOTHING;
            ANALYZE campaigns_placement;

            INSERT INTO campaigns_creative (placement_id, name, size, created_at, updated_at)
            SELECT places.id, r.creative, r.creative_size, now(), now()
            FROM (SELECT DISTINCT campaign, strategy, placement, creative, creative_size
                  FROM incoming WHERE is_valid) r
            JOIN {_PLACES} USING (campaign, strategy, placement)
            ON CONFLICT (placement_id, name, size) DO NOTHING;
            """,
            params,
        )


@dataclass(frozen=True)
class LoadResult:
    inserted: int
    updated: int
    unchanged: int
    first_day: dt.date | None
    last_day: dt.date | None


_UPSERT_SQL = f"""
    WITH summed AS (
        SELECT r.date, c.id AS campaign_id, s.id AS strategy_id, p.id AS placement_id,
               k.id AS creative_id, sum(r.impressions) AS impressions, sum(r.clicks) AS clicks,
               sum(r.conversions) AS conversions, sum(r.revenue) AS revenue,
               sum(r.source_spend) AS source_spend
        FROM incoming r
        {_JOIN_CAMPAIGN} {_JOIN_STRATEGY} {_JOIN_PLACEMENT} {_JOIN_CREATIVE}
        WHERE r.is_valid
        GROUP BY r.date, c.id, s.id, p.id, k.id
    ),
    -- Spend is not stored per row (SPEC 4): the rollups price the days once loaded.
    upserted AS (
        INSERT INTO metrics_dailymetric AS m (
            client_id, date, source, campaign_id, strategy_id, placement_id, creative_id,
            impressions, clicks, conversions, conversion_revenue, source_spend,
            ingestion_run_id, created_at, updated_at
        )
        SELECT %(client_id)s, date, %(source)s, campaign_id, strategy_id, placement_id,
               creative_id, impressions, clicks, conversions, revenue, source_spend,
               %(run_id)s, now(), now()
        FROM summed
        ON CONFLICT (client_id, date, source, campaign_id, strategy_id, placement_id, creative_id)
        DO UPDATE SET
            impressions = EXCLUDED.impressions, clicks = EXCLUDED.clicks,
            conversions = EXCLUDED.conversions, conversion_revenue = EXCLUDED.conversion_revenue,
            source_spend = EXCLUDED.source_spend,
            ingestion_run_id = EXCLUDED.ingestion_run_id, updated_at = clock_timestamp()
        -- A row the file restates unchanged is left alone (and keeps the run that wrote it).
        WHERE (m.impressions, m.clicks, m.conversions, m.conversion_revenue, m.source_spend)
              IS DISTINCT FROM
              (EXCLUDED.impressions, EXCLUDED.clicks, EXCLUDED.conversions,
               EXCLUDED.conversion_revenue, EXCLUDED.source_spend)
        -- Not ``xmax = 0``: a partitioned table returns no system columns. A row this statement
        -- inserted has both times from now() (the transaction's start); an updated row has
        -- clock_timestamp(), later than any now() its created_at can hold.
        RETURNING (m.created_at = m.updated_at) AS inserted
    )
    SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted),
           (SELECT count(*) FROM summed), (SELECT min(date) FROM summed),
           (SELECT max(date) FROM summed)
    FROM upserted
"""


# The same statement without its conflict clause: where the client and source have no rows on
# any day of the file yet (the daily case), nothing can conflict (keys are summed first and the
# lock keeps other writers of the client and source out), and a plain INSERT skips the probe of
# the natural-key index for each row before it is written.
_INSERT_SQL = (
    _UPSERT_SQL[: _UPSERT_SQL.index("ON CONFLICT")]
    + _UPSERT_SQL[_UPSERT_SQL.index("RETURNING (m.created_at = m.updated_at)") :]
)

_HAS_ROWS_SQL = """
    SELECT EXISTS (
        SELECT 1 FROM metrics_dailymetric
        WHERE client_id = %(client_id)s AND source = %(source)s
          AND date IN (SELECT DISTINCT date FROM incoming WHERE is_valid)
    )
"""


def load(*, client_id: int, source: str, run_id: int) -> LoadResult:
    """Insert, or where the file's days already have rows upsert, the summed rows into
    ``metrics_dailymetric``; a re-run gives the same table."""
    params: dict[str, Any] = {"client_id": client_id, "source": source, "run_id": run_id}
    with connection.cursor() as cursor:
        cursor.execute(_HAS_ROWS_SQL, params)
        (restates,) = cursor.fetchone()
        cursor.execute(_UPSERT_SQL if restates else _INSERT_SQL, params)
        inserted, updated, keys, first_day, last_day = cursor.fetchone()
    return LoadResult(inserted, updated, keys - inserted - updated, first_day, last_day)
