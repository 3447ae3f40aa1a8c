"""Screenshots of the scheduled reports pages, from a running demo (like ``screenshots.py``):
the client's schedules page and form (desktop and phone), and the admin's delivery history.

    python scripts/screenshots_schedules.py [--base-url URL] [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import Page, ViewportSize, sync_playwright
from screenshots import ADMIN_LOGIN, CLIENT_LOGIN, PHONE, ROOT, log_in, shoot

from tests.browser import CHROMIUM_ARGS, CHROMIUM_PATH

DESKTOP = ViewportSize(width=1440, height=900)


def client_pages(page: Page, base_url: str, out: Path, suffix: str) -> None:
    page.goto(f"{base_url}/schedules/")
    shoot(page, out, f"schedules-client{suffix}")
    page.get_by_role("link", name="Monday performance report").click()
    page.wait_for_load_state("networkidle")
    shoot(page, out, f"schedules-client-form{suffix}")
    if not suffix:
        # A new schedule with nobody to send it to: the refusal, and nothing saved.
        page.goto(f"{base_url}/schedules/new/")
        page.fill("#id_name", "Friday recap")
        page.check("input[name=sections][value=kpis]")
        page.click("button.primary")
        page.wait_for_load_state("networkidle")
        shoot(page, out, "schedules-client-refused")


def admin_pages(page: Page, base_url: str, out: Path, suffix: str) -> None:
    page.goto(f"{base_url}/admin/scheduled_reports/reportdelivery/")
    shoot(page, out, f"schedules-admin-history{suffix}")
    if not suffix:
        page.goto(f"{base_url}/admin/scheduled_reports/reportschedule/")
        shoot(page, out, "schedules-admin-list")
        page.get_by_role("link", name="Monday performance report").click()
        page.wait_for_load_state("networkidle")
        shoot(page, out, "schedules-admin-schedule")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    out, base_url = Path(args.out), args.base_url.rstrip("/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
        )
        try:
            for viewport, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
                context = browser.new_context(viewport=viewport, device_scale_factor=1)
                page = context.new_page()
                log_in(page, base_url, *CLIENT_LOGIN)
                client_pages(page, base_url, out, suffix)
                context.close()
                context = browser.new_context(viewport=viewport, device_scale_factor=1)
                page = context.new_page()
                log_in(page, base_url, *ADMIN_LOGIN, admin=True)
                admin_pages(page, base_url, out, suffix)
                context.close()
        finally:
            browser.close()


if __name__ == "__main__":
    main()
