"""Serving the fake Vibe over HTTP on loopback, in a background thread (tests) or in the
foreground (``manage.py fake_vibe``), with the standard library's WSGI server."""

from __future__ import annotations

import logging
import threading
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from devtools.fake_vibe.app import FakeVibe

logger = logging.getLogger(__name__)

# The path prefix of the real API; the fake answers under any prefix, this one is the default.
API_PREFIX = "/rest/reporting/v1"


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    # A stalled answer (timeout tests) must not hold up other calls or the shutdown.
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        # The request line holds report ids and download tokens, never the key (a header).
        logger.debug("fake vibe %s", format % args)


class FakeVibeServer:
    """``FakeVibe`` served on ``host:port`` (port 0: any free port, read back from ``port``)."""

    def __init__(self, fake: FakeVibe, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.fake = fake
        self._httpd = make_server(
            host, port, fake, server_class=_ThreadingWSGIServer, handler_class=_QuietHandler
        )
        self.host = host
        self.port = int(self._httpd.server_address[1])
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What ``VIBE_API_BASE_URL`` (or a connection's base URL) should be set to."""
        return f"{self.url}{API_PREFIX}"

    def start(self) -> FakeVibeServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeVibeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
