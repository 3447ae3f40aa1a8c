"""Screenshots of pacing (the dashboard panel, an order's page, the admin's orders) from a
running demo after ``manage.py pacing_demo``; same set-up as ``scripts/screenshots.py``.

    python scripts/pacing_screenshots.py [--base-url URL] [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright
from screenshots import ADMIN_LOGIN, CLIENT_LOGIN, DESKTOP, ROOT, log_in, shoot

from tests.browser import CHROMIUM_ARGS, CHROMIUM_PATH


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    base_url = args.base_url.rstrip("/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
        )
        try:
            for login, name in (
                (CLIENT_LOGIN, "acme"),
                (("borealis", CLIENT_LOGIN[1]), "borealis"),
            ):
                context = browser.new_context(viewport=DESKTOP)
                page = context.new_page()
                log_in(page, base_url, *login)
                page.goto(f"{base_url}/dashboard/")
                page.locator("section.pacing").screenshot(
                    path=str(out / f"pacing-panel-{name}.png")
                )
                print(f"  docs/screenshots/pacing-panel-{name}.png")
                page.click("section.pacing tbody th a")
                page.wait_for_load_state("networkidle")
                shoot(page, out, f"pacing-order-{name}")
                context.close()
            context = browser.new_context(viewport=DESKTOP)
            page = context.new_page()
            log_in(page, base_url, *ADMIN_LOGIN, admin=True)
            page.goto(f"{base_url}/admin/pacing/insertionorder/")
            shoot(page, out, "admin-insertion-orders")
            context.close()
        finally:
            browser.close()


if __name__ == "__main__":
    main()
