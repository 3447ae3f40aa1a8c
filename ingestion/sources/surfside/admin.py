"""The Surfside connection on the client's admin page, saved through its service."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from clients.models import Client
from ingestion.sources.surfside.models import SurfsideConnection
from ingestion.sources.surfside.services import surfside_connection_set
from metrics.admin import ConnectionInline, register_connection_inline


@register_connection_inline
class SurfsideConnectionInline(ConnectionInline):
    """Where the client's Surfside files arrive."""

    model = SurfsideConnection
    fields = ["bucket", "prefix", "file_pattern", "campaign_name", "is_enabled"]

    @classmethod
    def save_through_service(cls, *, client: Client, values: dict[str, Any], by: User) -> None:
        surfside_connection_set(
            client=client,
            bucket=values["bucket"],
            prefix=values["prefix"],
            file_pattern=values["file_pattern"],
            campaign_name=values["campaign_name"],
            is_enabled=values["is_enabled"],
            by=by,
        )
