"""``make demo`` fails loudly and shows what production shows: a taken port stops it at once with
a message saying which port and how to choose another; the address it really serves on and the
logins come last, in a box; a missing page or an error is the product's own page."""

import os
import signal
import socket
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory
from django.views.defaults import server_error

DEMO_SH = settings.BASE_DIR / "scripts" / "demo.sh"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def occupied_port():
    """A port some other program listens on, for the duration of the test."""
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        yield other.getsockname()[1]


def run_demo(**ports: int) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **{name: str(port) for name, port in ports.items()}, "HOST": "127.0.0.1"}
    process = subprocess.Popen(
        ["/bin/bash", str(DEMO_SH)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        # The demo went on regardless of the taken port: stop it and everything it started.
        os.killpg(process.pid, signal.SIGTERM)
        stdout, stderr = process.communicate(timeout=30)
        pytest.fail(f"the demo did not stop on the taken port:\n{stdout[-2000:]}\n{stderr[-2000:]}")
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("DEMO_S3_PORT", "the demo's fake S3"),
        ("DEMO_VIBE_PORT", "the demo's fake Vibe API"),
        ("PORT", "the demo's web server"),
    ],
)
def test_a_taken_port_stops_the_demo_before_it_starts_anything(occupied_port, name, what):
    ports = {"DEMO_S3_PORT": free_port(), "DEMO_VIBE_PORT": free_port(), "PORT": free_port()}
    ports[name] = occupied_port

    result = run_demo(**ports)

    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"make demo cannot start: Port {occupied_port} on 127.0.0.1, for {what}, is already in "
        "use (another program, or a demo still running). Stop it, or choose another port: "
        f"make demo {name}={occupied_port + 1}\n"
    )


def test_the_box_gives_the_address_the_demo_serves_on_and_the_logins(settings, capsys):
    settings.SITE_URL = "http://127.0.0.1:8123"
    call_command("demo", "--box-only")
    assert capsys.readouterr().out == (
        "+----------------------------------------------------------------------------+\n"
        "| Demo ready: http://127.0.0.1:8123/                                         |\n"
        "|                                                                            |\n"
        "| agency admin  admin / demo-admin-2026  (also http://127.0.0.1:8123/admin/) |\n"
        "| client user   acme / demo-client-2026  (Acme Foods)                        |\n"
        "| client user   borealis / demo-client-2026  (Borealis Travel)               |\n"
        "|                                                                            |\n"
        "| Ctrl-C stops the site, the task cluster and the fake S3 and Vibe.          |\n"
        "+----------------------------------------------------------------------------+\n"
    )


def test_the_demo_shows_the_products_404_page_not_djangos_debug_page():
    """The demo's settings, in their own process (DEBUG is read when settings load)."""
    config = connection.settings_dict
    port = f"&port={config['PORT']}" if config["PORT"] else ""
    url = f"postgres://{config['USER']}:{config['PASSWORD']}@/{config['NAME']}?host={config['HOST']}{port}"
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "response = Client(HTTP_HOST='127.0.0.1').get('/no-such-page/')\n"
        "print(response.status_code)\n"
        "print(response.content.decode())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "dashboard_project.settings.demo",
            "DATABASE_URL": url,
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    status, _, page = result.stdout.partition("\n")
    assert status == "404"
    assert '<h1 id="error-title">Page not found</h1>' in page
    assert "URLconf" not in page  # Django's debug 404 lists the URL patterns it tried
    assert '<link rel="stylesheet" href="/static/css/app.css">' in page


def test_a_server_error_shows_the_products_500_page():
    response = server_error(RequestFactory().get("/"))
    page = response.content.decode()
    assert response.status_code == 500
    assert '<h1 id="error-title">Something went wrong on our side</h1>' in page
    assert "<title>Something went wrong · Performance dashboard</title>" in page
