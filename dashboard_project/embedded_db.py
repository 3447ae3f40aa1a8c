"""The embedded PostgreSQL used when no ``DATABASE_URL`` is configured.

A fresh machine has no database service, so local work, the demo and the test suite start a real
PostgreSQL shipped by the ``pgserver`` package. Its data lives under ``var/pgdata`` and it keeps
running after the process that started it exits, so ``runserver``, ``qcluster`` and ``pytest`` share
one server. It listens on a Unix socket only, never on a network port.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

DATABASE_NAME = "dashboard"

logger = logging.getLogger(__name__)


def embedded_database_config(data_dir: Path) -> dict[str, Any]:
    """Start (or reuse) the embedded server and return a Django ``DATABASES`` entry for it."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (CI, containers); the fallback is fine.
        warnings.simplefilter("ignore")
        import pgserver

        data_dir.parent.mkdir(parents=True, exist_ok=True)
        server = pgserver.get_server(data_dir, cleanup_mode=None)
    socket_dir = parse_qs(urlparse(server.get_uri()).query)["host"][0]
    _ensure_database(server)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": DATABASE_NAME,
        "USER": "postgres",
        "PASSWORD": "",
        "HOST": socket_dir,
        "PORT": "",
    }


def _ensure_database(server: Any) -> None:
    import psycopg

    with psycopg.connect(server.get_uri("postgres"), autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]
        ).fetchone()
        if not exists:
            logger.info("creating embedded database %s", DATABASE_NAME)
            # Another process may create it between our check and our CREATE.
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                connection.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
