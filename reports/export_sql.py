"""The rows of an export as one SQL SELECT, per grain, streamed by PostgreSQL itself.

The CSV is ``COPY (SELECT ...) TO STDOUT WITH CSV HEADER`` streamed chunk by chunk (psycopg's
``cursor.copy``): no Python object per row or cell, so a 1.5M-row export costs about what the
copy of the same rows does. The XLSX reads the same SELECT from a server-side cursor.

- Spend is computed here from impressions and the client's CPM rate periods (a day is billed at
  the rate with the latest ``effective_date`` on or before it, as ``metrics.pricing`` prices);
  the per-row ``DailyMetric.spend/ctr/cpc/cpa/roas`` columns are never read. Campaign grains
  read ``CampaignDayRollup``, which keeps spend.
- CTR, CPC, CPA and ROAS are computed from the row's (summed) measures with the formulas of
  ``metrics.formulas``, so they always agree with the pages.
- Text cells are defused in SQL exactly as ``core.cells.defuse`` does (formula triggers
  prefixed with an apostrophe, control characters turned into spaces), once per name (the
  dimension tables are small), not once per row.
- Only the columns the reader may see (``reports.selectors.export_columns``) are selected.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import connection, transaction
from psycopg import sql

from core.cells import FORMULA_TRIGGERS
from metrics.comparison import DEFAULT_COMPARISON, ComparisonMode
from metrics.formulas import sql_cpa, sql_cpc, sql_ctr, sql_roas, sql_spend
from metrics.periods import DateRange
from metrics.pricing import rate_periods_sql
from reports.selectors import ExportColumn

# Bytes handed to the response at a time (psycopg yields what the server sends, in pieces).
COPY_CHUNK_BYTES = 256 * 1024
# Rows fetched at a time from the server-side cursor of an XLSX export.
CURSOR_ROWS = 2000
# Memory for sorting one day of detail rows (50,000 rows of names and measures fit).
DAY_SORT_MEMORY = "64MB"


class Grain(StrEnum):
    """What one row of an export is."""

    CREATIVE_DAY = "creative_day"
    CAMPAIGN_DAY = "campaign_day"
    CAMPAIGN = "campaign"

    @property
    def description(self) -> str:
        return _GRAIN_TEXT[self]

    @property
    def label(self) -> str:
        """How the export form names it."""
        return _GRAIN_LABELS[self]


_GRAIN_TEXT = {
    Grain.CREATIVE_DAY: "one row per day x campaign x strategy x placement x creative",
    Grain.CAMPAIGN_DAY: "one row per day x campaign",
    Grain.CAMPAIGN: "one row per campaign, summed over the range",
}
_GRAIN_LABELS = {
    Grain.CREATIVE_DAY: "Creative by day",
    Grain.CAMPAIGN_DAY: "Campaign by day",
    Grain.CAMPAIGN: "Campaign totals",
}
DEFAULT_GRAIN = Grain.CREATIVE_DAY

# The columns each grain has (by path); ``export_columns`` decides which of them a reader sees.
GRAIN_PATHS: dict[Grain, frozenset[str]] = {
    Grain.CREATIVE_DAY: frozenset(
        (
            "date",
            "client__name",
            "source",
            "campaign__name",
            "strategy__name",
            "placement__name",
            "creative__name",
            "creative__size",
        )
    ),
    Grain.CAMPAIGN_DAY: frozenset(("date", "client__name", "source", "campaign__name")),
    Grain.CAMPAIGN: frozenset(("client__name", "source", "campaign__name")),
}
MEASURE_PATHS = frozenset(
    (
        "impressions",
        "clicks",
        "conversions",
        "conversion_revenue",
        "spend",
        "source_spend",
        "ctr",
        "cpc",
        "cpa",
        "roas",
    )
)


def grain_columns(columns: tuple[ExportColumn, ...], grain: Grain) -> tuple[ExportColumn, ...]:
    """The reader's ``columns`` that exist at ``grain``."""
    paths = GRAIN_PATHS[grain] | MEASURE_PATHS
    return tuple(column for column in columns if column.path in paths)


def sql_defuse(text: str) -> str:
    """SQL for ``core.cells.defuse(text)``: an apostrophe before a formula trigger, control
    characters (C0, DEL, C1, U+2028/9) as spaces. NUL cannot be stored in PostgreSQL text."""
    triggers = ", ".join(_sql_text(trigger) for trigger in FORMULA_TRIGGERS)
    prefixed = f"CASE WHEN left({text}, 1) IN ({triggers}) THEN '''' || {text} ELSE {text} END"
    return f"regexp_replace({prefixed}, '[\\x01-\\x1f\\x7f-\\x9f\\u2028\\u2029]', ' ', 'g')"


def _sql_text(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "''").replace("\t", "\\t")
    return f"E'{escaped.replace(chr(13), chr(92) + 'r')}'"


# The rate periods of the export's clients.
_PERIODS = f"periods AS ({rate_periods_sql('client_id = ANY(%(client_ids)s)')})"

# Names, defused once each. MATERIALIZED: computed once per name, not once per joined row.
_NAMES = f"""
    camp AS MATERIALIZED (
        SELECT c.id, {sql_defuse("c.name")} AS name, {sql_defuse("cl.name")} AS client
        FROM campaigns_campaign c JOIN clients_client cl ON cl.id = c.client_id
        WHERE c.client_id = ANY(%(client_ids)s)
    )"""
# The detail grain's names, defused once each, in a temporary table with the rank of each
# creative in name order (client, source, campaign, strategy, placement, creative, size): the
# rows of a day are then sorted on (date, rank) in memory, never 1.5M wide rows on disk.
_NAMES_TABLE = f"""
    CREATE TEMPORARY TABLE {{table}} ON COMMIT DROP AS
    SELECT cr.id,
           row_number() OVER (
               ORDER BY {sql_defuse("cl.name")}, c.source, {sql_defuse("c.name")},
                        {sql_defuse("s.name")}, {sql_defuse("p.name")}, {sql_defuse("cr.name")},
                        cr.size, cr.id
           ) AS rank,
           {sql_defuse("cl.name")} AS client, {sql_defuse("c.name")} AS campaign,
           {sql_defuse("s.name")} AS strategy, {sql_defuse("p.name")} AS placement,
           {sql_defuse("cr.name")} AS creative, nullif({sql_defuse("cr.size")}, '') AS size
    FROM campaigns_creative cr
    JOIN campaigns_placement p ON p.id = cr.placement_id
    JOIN campaigns_strategy s ON s.id = p.strategy_id
    JOIN campaigns_campaign c ON c.id = s.campaign_id
    JOIN clients_client cl ON cl.id = c.client_id
    WHERE c.client_id = ANY(%(client_ids)s)
"""


def _measures(
    impressions: str,
    clicks: str,
    conversions: str,
    revenue: str,
    spend: str,
    source_spend: str,
) -> dict[str, str]:
    return {
        "impressions": impressions,
        "clicks": clicks,
        "conversions": conversions,
        "conversion_revenue": revenue,
        "spend": spend,
        "source_spend": source_spend,
        "ctr": sql_ctr(clicks, impressions),
        "cpc": sql_cpc(spend, clicks),
        "cpa": sql_cpa(spend, conversions),
        "roas": sql_roas(revenue, spend),
    }


_DIMENSIONS = {
    "date": "m.date",
    "client__name": "camp.client",
    "source": "m.source",
    "campaign__name": "camp.name",
}
_DETAIL_DIMENSIONS = {
    "date": "m.date",
    "client__name": "n.client",
    "source": "m.source",
    "campaign__name": "n.campaign",
    "strategy__name": "n.strategy",
    "placement__name": "n.placement",
    "creative__name": "n.creative",
    "creative__size": "n.size",
}


def _select_list(columns: tuple[ExportColumn, ...], expressions: dict[str, str]) -> str:
    return ",\n".join(
        f"{expressions[column.path]} AS {sql_identifier(column.heading)}" for column in columns
    )


def sql_identifier(name: str) -> str:
    """A quoted column alias ("CTR %"), its percent sign doubled for the parameter syntax."""
    return '"' + name.replace('"', '""').replace("%", "%%") + '"'


@dataclass(frozen=True)
class ExportQuery:
    """What an export holds: the clients, the range, one source or all, the grain."""

    client_ids: tuple[int, ...]
    date_range: DateRange
    source: str | None
    grain: Grain
    # The PDF's and the XLSX key figures' changes: what they compare with.
    comparison: ComparisonMode = DEFAULT_COMPARISON

    @property
    def params(self) -> dict[str, Any]:
        return {
            "client_ids": list(self.client_ids),
            "start": self.date_range.start,
            "end": self.date_range.end,
            "source": self.source,
        }

    def statements(
        self, columns: tuple[ExportColumn, ...], cursor: Any
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """The SELECTs whose rows, in order, are the export, with their parameters. To run in
        a transaction on ``cursor`` (the detail grain prepares a table of names with it)."""
        if self.grain is Grain.CAMPAIGN_DAY:
            yield self._campaign_days(columns), self.params
            return
        if self.grain is Grain.CAMPAIGN:
            yield self._campaigns(columns), self.params
            return
        table = f"export_names_{uuid.uuid4().hex}"
        cursor.execute(sql.SQL(_NAMES_TABLE.format(table=table)), self.params)
        cursor.execute(sql.SQL(f"ANALYZE {table}"))
        cursor.execute(sql.SQL(f"SET LOCAL work_mem = '{DAY_SORT_MEMORY}'"))
        statement = self._creative_days(columns, table)
        for day in self.date_range.each_day():
            yield statement, {**self.params, "day": day}
        cursor.execute(sql.SQL(f"DROP TABLE {table}"))

    def _creative_days(self, columns: tuple[ExportColumn, ...], names: str) -> str:
        """One day of the detail rows, sorted by the names' rank."""
        spend = sql_spend("m.impressions", "coalesce(p.cpm, 0)")
        expressions = _DETAIL_DIMENSIONS | _measures(
            "m.impressions",
            "m.clicks",
            "m.conversions",
            "m.conversion_revenue",
            "x.spend",
            "m.source_spend",
        )
        return f"""
            WITH {_PERIODS}
            SELECT {_select_list(columns, expressions)}
            FROM metrics_dailymetric m
            JOIN {names} n ON n.id = m.creative_id
            LEFT JOIN periods p
              ON p.client_id = m.client_id AND m.date >= p.starts
             AND (p.ends IS NULL OR m.date < p.ends)
            CROSS JOIN LATERAL (SELECT {spend} AS spend) x
            WHERE m.client_id = ANY(%(client_ids)s)
              AND m.date = %(day)s
              {self._source_filter("m")}
            ORDER BY n.rank
        """

    def _campaign_days(self, columns: tuple[ExportColumn, ...]) -> str:
        expressions = _DIMENSIONS | _measures(
            "m.impressions",
            "m.clicks",
            "m.conversions",
            "m.conversion_revenue",
            "m.spend",
            "m.source_spend",
        )
        return f"""
            WITH {_NAMES}
            SELECT {_select_list(columns, expressions)}
            FROM metrics_campaigndayrollup m
            JOIN camp ON camp.id = m.campaign_id
            WHERE m.client_id = ANY(%(client_ids)s)
              AND m.date BETWEEN %(start)s AND %(end)s
              {self._source_filter("m")}
            ORDER BY m.date, camp.client, m.source, camp.name, m.campaign_id
        """

    def _campaigns(self, columns: tuple[ExportColumn, ...]) -> str:
        expressions = _DIMENSIONS | _measures(
            "sum(m.impressions)",
            "sum(m.clicks)",
            "sum(m.conversions)",
            "sum(m.conversion_revenue)",
            "sum(m.spend)",
            "sum(m.source_spend)",
        )
        return f"""
            WITH {_NAMES}
            SELECT {_select_list(columns, expressions)}
            FROM metrics_campaigndayrollup m
            JOIN camp ON camp.id = m.campaign_id
            WHERE m.client_id = ANY(%(client_ids)s)
              AND m.date BETWEEN %(start)s AND %(end)s
              {self._source_filter("m")}
            GROUP BY camp.client, m.source, camp.name, m.campaign_id
            ORDER BY camp.client, m.source, camp.name, m.campaign_id
        """

    def _source_filter(self, alias: str) -> str:
        return f"AND {alias}.source = %(source)s" if self.source else ""

    def count_sql(self) -> str:
        """How many rows the export has (the inline / queued decision), up to ``%(limit)s``."""
        if self.grain is Grain.CREATIVE_DAY:
            table, distinct = "metrics_dailymetric", ""
        elif self.grain is Grain.CAMPAIGN_DAY:
            table, distinct = "metrics_campaigndayrollup", ""
        else:
            table, distinct = "metrics_campaigndayrollup", "DISTINCT "
        key = "m.campaign_id" if distinct else "1"
        return f"""
            SELECT count(*) FROM (
                SELECT {distinct}{key} FROM {table} m
                WHERE m.client_id = ANY(%(client_ids)s)
                  AND m.date BETWEEN %(start)s AND %(end)s
                  {self._source_filter("m")}
                LIMIT %(limit)s
            ) counted
        """

    def count(self, limit: int | None = None) -> int:
        """The export's rows, counted up to ``limit`` (all when None)."""
        with connection.cursor() as cursor:
            cursor.execute(self.count_sql(), {**self.params, "limit": limit})
            (found,) = cursor.fetchone()
        return int(found)


def copy_csv(query: ExportQuery, columns: tuple[ExportColumn, ...]) -> Iterator[bytes]:
    """The CSV file as bytes: a byte order mark (Excel then reads UTF-8), then PostgreSQL's
    ``COPY (SELECT ...) TO STDOUT WITH CSV`` of the rows (the header with the first), as the
    server sends them, in pieces of about ``COPY_CHUNK_BYTES``."""
    yield "\ufeff".encode()
    connection.ensure_connection()
    pending = bytearray()
    with transaction.atomic(), connection.connection.cursor() as cursor:
        for index, (select, params) in enumerate(query.statements(columns, cursor)):
            header = sql.SQL("true" if index == 0 else "false")
            statement = sql.SQL("COPY ({}) TO STDOUT WITH (FORMAT csv, HEADER {})").format(
                sql.SQL(select),
                header,
            )
            # COPY takes no bound parameters: psycopg merges them client-side, safely quoted.
            with cursor.copy(statement, params) as copy:
                for data in copy:
                    pending += data
                    if len(pending) >= COPY_CHUNK_BYTES:
                        yield bytes(pending)
                        pending.clear()
    if pending:
        yield bytes(pending)


def select_rows(query: ExportQuery, columns: tuple[ExportColumn, ...]) -> Iterator[tuple[Any, ...]]:
    """The rows as tuples (dates, ints, Decimals, text), from server-side cursors: never more
    than ``CURSOR_ROWS`` in memory."""
    connection.ensure_connection()
    with transaction.atomic(), connection.connection.cursor() as cursor:
        for index, (select, params) in enumerate(query.statements(columns, cursor)):
            name = f"export_rows_{uuid.uuid4().hex[:12]}_{index}"
            with connection.connection.cursor(name=name) as rows:
                rows.itersize = CURSOR_ROWS
                rows.execute(sql.SQL(select), params)
                yield from rows
