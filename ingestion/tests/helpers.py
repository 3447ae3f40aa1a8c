"""Building test files: small Surfside CSVs and XLSX workbooks, and what "nothing written" means."""

from __future__ import annotations

import io
import zipfile

import openpyxl

from campaigns.models import Campaign
from ingestion.models import StagingRow
from metrics.models import CampaignDayRollup, DailyMetric

SURFSIDE_HEADER = (
    "Strategy Name,Placement Name,Creative Name,Creative Size,Event Date,Impressions,Clicks,"
    "Media Spend,Conversions,Conversion Value"
)


def surfside_csv(*rows: str, header: str = SURFSIDE_HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def row(
    strategy="Prospecting",
    placement="Top",
    creative="Banner",
    size="300x250",
    date="11/3/2025",
    impressions="1000",
    clicks="2",
    spend="5.00",
    conversions="0",
    value="0",
) -> str:
    return ",".join(
        [strategy, placement, creative, size, date, impressions, clicks, spend, conversions, value]
    )


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def rewrite_member(content: bytes, member: str, transform) -> bytes:
    """The same zip with one member's bytes replaced by ``transform(old_bytes)``."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item.filename, transform(data) if item.filename == member else data)
    return out.getvalue()


def nothing_loaded() -> bool:
    return not (
        DailyMetric.objects.exists()
        or Campaign.objects.exists()
        or CampaignDayRollup.objects.exists()
        or StagingRow.objects.exists()
    )
