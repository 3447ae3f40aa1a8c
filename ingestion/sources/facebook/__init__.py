"""Facebook / Meta: exports people upload (SPEC 3.3).

``adapter`` reads an export into canonical rows (refusing exports that are not by day),
``upload_limits`` refuses oversized bodies before they are read, ``services`` stores, loads and
undoes uploads, ``api`` takes them over the API.
"""

from campaigns.models import Source
from ingestion.adapters.registry import register_parser
from ingestion.sources.facebook.adapter import parse_for_client

register_parser(Source.FACEBOOK, parse_for_client)
