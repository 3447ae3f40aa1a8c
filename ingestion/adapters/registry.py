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
    from accounts.models import User
    from clients.models import Client

# (content, file name, client) -> canonical rows. The client lets a source read its connection
# (Surfside's campaign name for files without a campaign column).
Parser = Callable[[bytes, str, "Client"], ParsedFile]

# (client, parsed file, who sent it) -> None, or SourceFileError: a source's own refusal of a
# file that parsed (Facebook's ad-account guard), before anything is validated or written.
Check = Callable[["Client", ParsedFile, "User | None"], None]

_parsers: dict[str, Parser] = {}
_checks: dict[str, Check] = {}


def register_parser(source: str, parser: Parser, *, check: Check | None = None) -> None:
    """Make ``parser`` the one that reads ``source``'s files, and ``check`` the one that may
    refuse a parsed file of it."""
    _parsers[source] = parser
    if check is not None:
        _checks[source] = check


def check_source_file(*, source: str, client: Client, parsed: ParsedFile, by: User | None) -> None:
    """The source's own check of a parsed file, if it has one (raises ``SourceFileError``)."""
    check = _checks.get(source)
    if check is not None:
        check(client, parsed, by)


def parse_source_file(*, source: str, content: bytes, file_name: str, client: Client) -> ParsedFile:
    """The source's adapter applied to the file's bytes."""
    parser = _parsers.get(source)
    if parser is None:
        raise SourceFileError(f"Unknown source '{source}'.")
    return parser(content, file_name, client)
