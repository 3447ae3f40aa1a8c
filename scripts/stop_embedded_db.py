"""Stop the embedded PostgreSQL whose data directory is given (``make mutation`` uses it for the
server its copy of the project under mutants/ starts). Nothing to do when none is running."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pgserver


def stop(data_dir: Path) -> None:
    pid_file = data_dir / "postmaster.pid"
    if not pid_file.exists():
        return
    try:
        os.kill(int(pid_file.read_text().split()[0]), 0)
    except (OSError, ValueError):
        return  # a stale pid file: no server is running
    pg_ctl = Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_ctl"
    # pg_ctl refuses to run as root: run it as the owner of the data, as pgserver does.
    subprocess.run(  # noqa: S603 (a fixed program and arguments)
        [str(pg_ctl), "-D", str(data_dir), "-w", "stop", "-m", "fast"],
        check=True,
        capture_output=True,
        user=data_dir.stat().st_uid,
    )


if __name__ == "__main__":
    stop(Path(sys.argv[1]).resolve())
