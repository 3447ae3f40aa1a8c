"""Request body parsers for the API."""

from __future__ import annotations

from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing documents nested deeper than Python's recursion limit.

    ``json.loads`` raises ``RecursionError`` (not ``ValueError``) on ``[[[[...`` a hundred
    thousand levels deep, which DRF does not catch: the caller would get a 500.
    """

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the document is nested too deeply.") from None
