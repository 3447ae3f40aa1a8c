"""An upload handler that refuses oversized request bodies before reading them.

Django streams uploads to disk, but it still reads the whole body (to find the CSRF token on
session-authenticated requests, for one). This handler runs first and refuses a body that
announces more than the limit, or turns out longer than it announced, so a 5 GB upload costs
nothing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler

# Room for the multipart envelope and the other form fields around the file.
ENVELOPE_BYTES = 64 * 1024


def too_large_message() -> str:
    return (
        f"The file is larger than {settings.MAX_UPLOAD_BYTES / 1e6:.0f} MB. Export a shorter "
        "date range."
    )


class LimitedUploadHandler(FileUploadHandler):
    def handle_raw_input(
        self,
        input_data: Any,
        META: Any,
        content_length: int,
        boundary: Any,
        encoding: str | None = None,
    ) -> None:
        self.received = 0
        if content_length > settings.MAX_UPLOAD_BYTES + ENVELOPE_BYTES:
            raise RequestDataTooBig(too_large_message())

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.MAX_UPLOAD_BYTES:
            raise RequestDataTooBig(too_large_message())
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
