"""Screenshots of annotations from a running demo: the dashboard chart with its markers (one
focused from the keyboard, showing its text) on a desktop and a phone, and an order's pacing
chart; same set-up as ``scripts/screenshots.py``.

    python scripts/annotation_screenshots.py [--base-url URL] [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import Page, sync_playwright
from screenshots import ADMIN_LOGIN, CLIENT_LOGIN, ROOT, ViewportSize, log_in

from tests.browser import CHROMIUM_ARGS, CHROMIUM_PATH

DESKTOP = ViewportSize(width=1440, height=900)
PHONE = ViewportSize(width=390, height=844)


def focus_marker(page: Page, chart: str, index: int) -> None:
    """Tab from the chart picker's button to the ``index``-th marker, as a keyboard user does."""
    page.get_by_role("button", name="Show").focus()
    for _ in range(index + 1):
        page.keyboard.press("Tab")
    if not page.locator(f"{chart} .chart-marker").nth(index).evaluate("m => m.matches(':focus')"):
        raise SystemExit(f"marker {index + 1} of {chart} did not take the keyboard focus")


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
            for viewport, name, chart in (
                (DESKTOP, "desktop", ".chart-wide"),
                (PHONE, "phone", ".chart-narrow"),
            ):
                context = browser.new_context(viewport=viewport)
                page = context.new_page()
                log_in(page, base_url, *CLIENT_LOGIN)
                page.goto(f"{base_url}/dashboard/")
                focus_marker(page, chart, 1)
                page.locator("section.trend").screenshot(
                    path=str(out / f"annotations-dashboard-{name}.png")
                )
                order = page.locator("section.pacing a").first
                order.click()
                page.wait_for_load_state("networkidle")
                page.locator(f"{chart} .chart-marker").first.focus()
                page.locator("section:has(#pacing-chart)").screenshot(
                    path=str(out / f"annotations-pacing-{name}.png")
                )
                context.close()
            context = browser.new_context(viewport=DESKTOP)
            page = context.new_page()
            log_in(page, base_url, *ADMIN_LOGIN, admin=True)
            page.goto(f"{base_url}/dashboard/?client_id=1")
            page.locator(".chart-wide .chart-marker").last.focus()
            page.locator("section.trend").screenshot(
                path=str(out / "annotations-dashboard-admin.png")
            )
            context.close()
        finally:
            browser.close()


if __name__ == "__main__":
    main()
