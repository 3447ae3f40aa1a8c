"""Surfside delivery files (CSV or XLSX) -> canonical rows.

Real files have ``Strategy Name, Placement Name, Creative Name, Creative Size, Event Date,
Impressions, Clicks, Media Spend, Conversions, Conversion Value, ROAS`` and no campaign column: the
connection supplies the campaign name (a campaign column, when present, wins). The brief's names
(``Date, Campaign, Strategy, Placement, Creative, ..., Conversion Revenue, CTR``) work too. ROAS and
CTR are ignored (we recompute them); a totals row is skipped and compared with the rows.
"""

from __future__ import annotations

from clients.models import Client
from ingestion.adapters.base import LABELS, ParsedFile
from ingestion.adapters.common import build_parsed_file
from ingestion.adapters.tabular import read_table

ALIASES = {
    "date": ["event date", "date", "day", "report date"],
    "campaign": ["campaign", "campaign name"],
    "strategy": ["strategy", "strategy name"],
    "placement": ["placement", "placement name"],
    "creative": ["creative", "creative name"],
    "creative_size": ["creative size", "size"],
    "impressions": ["impressions", "imps"],
    "clicks": ["clicks"],
    "conversions": ["conversions", "total conversions"],
    "revenue": ["conversion value", "conversion revenue", "revenue"],
    "source_spend": ["media spend", "spend", "media cost", "cost"],
}
REQUIRED = (
    "date",
    "strategy",
    "placement",
    "creative",
    "impressions",
    "clicks",
    "conversions",
    "revenue",
)


def parse_surfside(content: bytes, *, file_name: str, default_campaign: str) -> ParsedFile:
    """Canonical rows of a Surfside file; ``default_campaign`` names rows without a campaign."""
    table = read_table(content, file_name=file_name)
    return build_parsed_file(
        table,
        file_name=file_name,
        aliases=ALIASES,
        required={name: LABELS[name] for name in REQUIRED},
        default_campaign=default_campaign,
        hint=" A Surfside export needs Event Date, Strategy Name, Placement Name, Creative Name, "
        "Impressions, Clicks, Conversions and Conversion Value.",
    )


def default_campaign_name(client: Client) -> str:
    """The campaign of Surfside rows without a campaign column: the connection's, or the
    client's name."""
    connection = getattr(client, "surfside_connection", None)
    if connection is not None and connection.campaign_name:
        return str(connection.campaign_name)
    return client.name


def parse_for_client(content: bytes, file_name: str, client: Client) -> ParsedFile:
    """``parse_surfside`` with the client's default campaign (the pipeline's parser)."""
    return parse_surfside(
        content, file_name=file_name, default_campaign=default_campaign_name(client)
    )
