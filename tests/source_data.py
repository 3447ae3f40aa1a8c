from pathlib import Path

import pytest

SAMPLES = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "samples"


@pytest.fixture
def sample():
    """The bytes of a real export from ../shared/reference/samples."""

    def read(relative: str) -> bytes:
        return (SAMPLES / relative).read_bytes()

    return read


# --- Vibe: a fake Vibe API on loopback and a clock the tests move by hand -----------------------

VIBE_KEY = "vb-test-secret-key-7f3a9c1234"
VIBE_ADVERTISER = "7f1ae80e-ebc2-42b4-b1d8-5b53c6d411a8"


@pytest.fixture
def vibe_clock():
    from ingestion.tests.vibe_helpers import FakeClock

    return FakeClock()


@pytest.fixture
def fake_vibe(vibe_clock):
    """The fake Vibe served over real HTTP on 127.0.0.1 (an ephemeral port), on ``vibe_clock``.
    ``fake_vibe.fake`` is the app: its ``config``, ``calls`` and ``fail_next``."""
    from devtools.fake_vibe import FakeVibe, FakeVibeConfig, FakeVibeServer

    fake = FakeVibe(FakeVibeConfig(api_keys={VIBE_KEY: None}), clock=vibe_clock.now)
    with FakeVibeServer(fake) as server:
        yield server


@pytest.fixture
def vibe_connection(client_a, fake_vibe):
    from ingestion.sources.vibe.services import vibe_connection_set

    return vibe_connection_set(
        client=client_a,
        advertiser_id=VIBE_ADVERTISER,
        api_key=VIBE_KEY,
        base_url=fake_vibe.base_url,
        by=None,
    )
