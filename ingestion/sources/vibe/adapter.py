"""Vibe report CSVs (the downloaded ``create_async_report`` result) -> canonical rows.

Mapping (SPEC 3.2): campaign_name, strategy_name, channel_name (placement), creative_name;
conversions = number_of_purchases, revenue = amount_of_purchases, source_spend = spend. CTV has no
clicks column: clicks are 0. Geo and other breakdown rows share a key and are summed by the loader.
"""

from __future__ import annotations

from clients.models import Client
from ingestion.adapters.base import LABELS, ParsedFile
from ingestion.adapters.common import build_parsed_file
from ingestion.adapters.tabular import read_table

ALIASES = {
    "date": ["impression_date", "date", "day"],
    "campaign": ["campaign_name"],
    "strategy": ["strategy_name"],
    "placement": ["channel_name"],
    "creative": ["creative_name"],
    "impressions": ["impressions"],
    "clicks": ["clicks"],
    "conversions": ["number_of_purchases"],
    "revenue": ["amount_of_purchases"],
    "source_spend": ["spend"],
}
REQUIRED = ("date", "campaign", "strategy", "placement", "creative", "impressions")


def parse_vibe(content: bytes, *, file_name: str) -> ParsedFile:
    table = read_table(content, file_name=file_name)
    return build_parsed_file(
        table,
        file_name=file_name,
        aliases=ALIASES,
        required={name: LABELS[name] for name in REQUIRED},
        hint=" A Vibe report needs impression_date, campaign_name, strategy_name, channel_name, "
        "creative_name and impressions.",
    )


def parse_for_client(content: bytes, file_name: str, client: Client) -> ParsedFile:
    """``parse_vibe`` as the pipeline calls it (the client changes nothing here)."""
    return parse_vibe(content, file_name=file_name)
