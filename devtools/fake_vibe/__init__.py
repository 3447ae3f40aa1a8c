"""A fake of Vibe's legacy reporting API for tests and the offline demo (SPEC 3.2).

``FakeVibe`` is a plain WSGI app (standard library only) that speaks the same paths and shapes as
the real API, produces daily reports in the real report's column layout, and can misbehave on
purpose: latency, 429s with retry-after, 5xx, never-ready reports, expired download links, wrong
keys and plain-text error bodies. ``FakeVibeServer`` serves it from a thread on loopback;
``manage.py fake_vibe`` serves it in the foreground.
"""

from devtools.fake_vibe.app import FakeVibe, FakeVibeConfig, ReceivedCall
from devtools.fake_vibe.server import FakeVibeServer

__all__ = ["FakeVibe", "FakeVibeConfig", "FakeVibeServer", "ReceivedCall"]
