"""Surfside: daily CSV or XLSX files in S3 (SPEC 3.1).

``adapter`` reads a file into canonical rows, ``s3`` finds and downloads a day's file,
``services`` sets the connection and pulls a day through the shared pipeline, ``admin`` and
``api`` show and set the connection.
"""

from campaigns.models import Source
from ingestion.adapters.registry import register_parser
from ingestion.sources.surfside.adapter import parse_for_client

register_parser(Source.SURFSIDE, parse_for_client)
