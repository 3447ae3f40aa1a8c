"""Files refused before they reach the pipeline, and local files read within the upload limit."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings


class FileRefused(Exception):
    """A file refused before it reached the pipeline (too large, wrong type)."""


def read_limited(path: Path) -> bytes:
    """A local file's bytes; refused before reading when it is above the upload limit."""
    if path.is_dir():
        raise FileRefused(f"{path} is a directory; pass a CSV or XLSX file.")
    try:
        size = path.stat().st_size
        if size > settings.MAX_UPLOAD_BYTES:
            raise FileRefused(
                f"{path.name} is {size / 1e6:.1f} MB; the limit is "
                f"{settings.MAX_UPLOAD_BYTES / 1e6:.0f} MB. Split the export by date range."
            )
        return path.read_bytes()
    except OSError as error:
        raise FileRefused(f"{path} cannot be read ({error.strerror}).") from None
