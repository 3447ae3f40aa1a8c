"""Which adapter parses each source's files.

The shared pipeline parses by source name (a re-run reads the stored file again), but it must not
import the sources: each source registers its parser here from its own package, and the
ingestion app imports the three sources when it is ready (``IngestionConfig.ready``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ingestion.adapters.base import ParsedFile, SourceFileError

if TYPE_CHECKING:
    from clients.models import Client

# (content, file name, client) -> canonical rows. The client lets a source read its connection
# (Surfside's campaign name for files without a campaign column).
Parser = Callable[[bytes, str, "Client"], ParsedFile]

_parsers: dict[str, Parser] = {}


def register_parser(source: str, parser: Parser) -> None:
    """Make ``parser`` the one that reads ``source``'s files."""
    _parsers[source] = parser


def parse_source_file(*, source: str, content: bytes, file_name: str, client: Client) -> ParsedFile:
    """The source's adapter applied to the file's bytes."""
    parser = _parsers.get(source)
    if parser is None:
        raise SourceFileError(f"Unknown source '{source}'.")
    return parser(content, file_name, client)
