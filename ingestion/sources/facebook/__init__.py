"""Facebook / Meta: exports people upload (SPEC 3.3).

``adapter`` reads an export into canonical rows (refusing exports that are not by day),
``ad_accounts`` refuses an export of an account the client does not own,
``upload_limits`` refuses oversized bodies before they are read, ``services`` stores, loads and
undoes uploads, ``api`` takes them over the API.
"""

from campaigns.models import Source
from ingestion.adapters.registry import register_parser
from ingestion.sources.facebook.ad_accounts import ad_account_check
from ingestion.sources.facebook.adapter import parse_for_client

register_parser(Source.FACEBOOK, parse_for_client, check=ad_account_check)
