"""How the end-to-end tests and the screenshot script start Chromium: Debian's package, headless,
with nothing that reaches the network on its own (no sync, no updates, no first-run pages)."""

from __future__ import annotations

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
