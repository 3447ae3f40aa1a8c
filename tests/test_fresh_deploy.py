"""A fresh, empty database needs only ``manage.py migrate`` (SPEC 8).

Run as an operator would, in subprocesses: ``migrate`` on a brand-new database of the embedded
server, ``createsuperuser --noinput``, then gunicorn with the production settings, and a login over
real HTTP. pytest-django's own test database set-up creates the cache tables by itself, so only a
database that nothing but ``migrate`` touched shows what a deployment gets.
"""

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import requests
from django.conf import settings
from django.db import connection

from operations.scheduling import JOBS

BIN = Path(sys.executable).parent


def _server_uri(database: str) -> str:
    config = connection.settings_dict
    port = f"&port={config['PORT']}" if config["PORT"] else ""
    return f"postgresql://{config['USER']}:{config['PASSWORD']}@/{database}?host={config['HOST']}{port}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def fresh_database():
    """A brand-new, empty database on the embedded server; dropped afterwards."""
    name = f"fresh_deploy_{secrets.token_hex(4)}"
    with psycopg.connect(_server_uri("postgres"), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(_server_uri("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _post_json(url: str, body: dict[str, str]) -> tuple[int, str]:
    response = requests.post(url, json=body, timeout=30)
    return response.status_code, response.text


def _wait_for(port: int, server: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, f"gunicorn exited: {server.communicate()[1][-3000:]}"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"gunicorn did not answer on port {port} within 60 s")


def test_migrate_alone_leaves_a_product_that_logs_in(fresh_database):
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "dashboard_project.settings.production",
        "DATABASE_URL": _server_uri(fresh_database).replace("postgresql://", "postgres://"),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        # The test speaks plain HTTP to gunicorn; in production a TLS proxy sits in front.
        "SECURE_SSL_REDIRECT": "false",
        "DJANGO_SUPERUSER_PASSWORD": "fresh-deploy-pass-2026",
    }

    migrate = _manage(env, "migrate", "--no-input")
    assert migrate.returncode == 0, migrate.stderr
    created = _manage(
        env, "createsuperuser", "--noinput", "--username", "ops", "--email", "ops@agency.example"
    )
    assert created.returncode == 0, created.stderr

    # Besides the models' tables, migrate created the cache table and every schedule.
    with psycopg.connect(_server_uri(fresh_database)) as fresh:
        assert fresh.execute("SELECT to_regclass('django_cache') IS NOT NULL").fetchone() == (True,)
        names = {row[0] for row in fresh.execute("SELECT name FROM django_q_schedule")}
    assert names == set(JOBS)

    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "dashboard_project.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--timeout",
            "30",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(port, server)
        login = f"http://127.0.0.1:{port}/api/v1/auth/login"
        status, body = _post_json(login, {"username": "ops", "password": "fresh-deploy-pass-2026"})
        assert status == 200, body
        assert set(json.loads(body)) >= {"access", "refresh"}
        status, body = _post_json(login, {"username": "ops", "password": "wrong-password"})
        assert status == 401, body
    finally:
        server.terminate()
        server.wait(timeout=30)
