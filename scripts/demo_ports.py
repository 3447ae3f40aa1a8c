"""``make demo``'s first step: every port the demo serves on must be free, or it stops at once.

Without this check a taken port went unnoticed: the demo's own fake S3 or fake Vibe failed to start
(the error only in ``var/*.log``) and the demo talked to whatever program held the port.

Usage: ``demo_ports.py HOST NAME=PORT...``, where NAME is the variable that sets the port (so the
message can say how to choose another). Exits 0 when every port is free, else 1 with one line per
taken port on stderr.
"""

from __future__ import annotations

import socket
import sys

WHAT = {
    "DEMO_S3_PORT": "the demo's fake S3",
    "DEMO_VIBE_PORT": "the demo's fake Vibe API",
    "PORT": "the demo's web server",
}


def taken(host: str, port: int) -> bool:
    """Whether something listens on ``host:port`` or the port cannot be bound there."""
    connect_to = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104 - comparing
    with socket.socket() as probe:
        probe.settimeout(0.5)
        if probe.connect_ex((connect_to, port)) == 0:
            return True
    with socket.socket() as probe:
        # Lets a port in TIME_WAIT (a demo stopped a moment ago) count as free; a listening
        # socket still refuses the bind.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
    return False


def problems(host: str, ports: dict[str, int]) -> list[str]:
    return [
        f"Port {port} on {host}, for {WHAT.get(name, name)}, is already in use (another "
        f"program, or a demo still running). Stop it, or choose another port: "
        f"make demo {name}={port + 1}"
        for name, port in ports.items()
        if taken(host if name == "PORT" else "127.0.0.1", port)
    ]


def main(argv: list[str]) -> int:
    host, pairs = argv[0], argv[1:]
    ports: dict[str, int] = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if not value.isdigit() or not 0 < int(value) < 65536:
            print(
                f"make demo: {name} must be a port number (1-65535), not '{value}'.",
                file=sys.stderr,
            )
            return 1
        ports[name] = int(value)
    found = problems(host, ports)
    for line in found:
        print(f"make demo cannot start: {line}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
