"""Screenshots of restatements (issue 12) from a running demo: the dashboard notice, a sent summary
restated (as sent beside now) and the admin's CPM impact preview, desktop and phone.

Run ``scripts/restated_setup.py`` once against the demo database first (it sends a summary of a
closed week and changes the CPM over it), then:

    python scripts/restated_screenshots.py [--base-url URL] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from playwright.sync_api import ViewportSize, sync_playwright
from screenshots import ADMIN_LOGIN, CLIENT_LOGIN, PHONE, ROOT, log_in, shoot

from tests.browser import CHROMIUM_ARGS, CHROMIUM_PATH

DESKTOP = ViewportSize(width=1440, height=900)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--setup", default="/tmp/restated-setup.json")  # noqa: S108
    args = parser.parse_args()
    out = Path(args.out)
    base_url = args.base_url.rstrip("/")
    setup = json.loads(Path(args.setup).read_text())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
        )
        try:
            for viewport, suffix in ((DESKTOP, "desktop"), (PHONE, "phone")):
                context = browser.new_context(viewport=viewport)
                page = context.new_page()
                log_in(page, base_url, *CLIENT_LOGIN)
                page.goto(f"{base_url}/dashboard/?{setup['dashboard_query']}")
                page.wait_for_load_state("networkidle")
                shoot(page, out, f"restated-dashboard-{suffix}", full_page=False)
                page.goto(f"{base_url}/summaries/{setup['summary']}/")
                page.wait_for_load_state("networkidle")
                shoot(page, out, f"restated-summary-{suffix}", full_page=False)
                context.close()

                context = browser.new_context(viewport=viewport)
                page = context.new_page()
                log_in(page, base_url, *ADMIN_LOGIN, admin=True)
                page.goto(f"{base_url}/admin/clients/cpmrate/{setup['rate']}/change/")
                page.fill("#id_cpm", setup["preview_cpm"])
                page.click("[name=_save]")
                page.wait_for_load_state("networkidle")
                name = "cpm-preview" if suffix == "desktop" else "cpm-preview-phone"
                shoot(page, out, name)
                context.close()
        finally:
            browser.close()


if __name__ == "__main__":
    main()
