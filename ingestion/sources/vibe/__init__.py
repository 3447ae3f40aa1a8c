"""Vibe: the asynchronous reporting API under a 15 requests/hour budget (SPEC 3.2).

``client`` speaks the HTTP protocol, ``budget`` shares each API key's hourly allowance between all
processes through PostgreSQL, ``flow`` moves persisted report requests through their states and
``tasks`` holds what django-q2 runs; ``adapter`` reads a downloaded report into canonical rows.
Importing the package (as the models do) registers the adapter only: no network code.
"""

from campaigns.models import Source
from ingestion.adapters.registry import register_parser
from ingestion.sources.vibe.adapter import parse_for_client

register_parser(Source.VIBE, parse_for_client)
