from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[2].parent / "shared" / "reference" / "samples"


@pytest.fixture
def sample():
    """The bytes of a real export from ../shared/reference/samples."""

    def read(relative: str) -> bytes:
        return (SAMPLES / relative).read_bytes()

    return read
