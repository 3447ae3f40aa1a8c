"""Screenshots of the main pages for the README, from a running demo (``make screenshots``).

Needs the demo data (``manage.py demo``) served at ``--base-url`` (default http://127.0.0.1:8000,
where ``make demo`` serves it) and Debian's Chromium. Writes PNGs under docs/screenshots/, logged
in with the demo's users. Borealis uploads a small export with a bad row the first time.

    python scripts/screenshots.py [--base-url URL] [--out DIR]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, ViewportSize, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import CHROMIUM_ARGS, CHROMIUM_PATH  # noqa: E402

CLIENT_LOGIN = ("acme", "demo-client-2026")
ADMIN_LOGIN = ("admin", "demo-admin-2026")


def upload_with_a_bad_row() -> str:
    """A Meta export of the last three days: two good rows and one with a typo in its
    impressions, as people upload them (with the totals row Ads Manager adds)."""
    day = [dt.date.today() - dt.timedelta(days=n) for n in (4, 3, 2)]  # noqa: DTZ011
    return (
        "Day,Campaign name,Ad set name,Ad name,Impressions,Link clicks,Amount spent (USD),"
        "Purchases,Purchases conversion value\n"
        ",,,,6400,40,81.70,4,520\n"
        f"{day[0]},Winter Escapes,Retargeting,Powder Video,1800,14,23.10,2,260\n"
        f'{day[1]},Winter Escapes,Retargeting,Powder Video,"2,3OO",9,29.30,1,130\n'
        f"{day[2]},Winter Escapes,Retargeting,Powder Video,2300,17,29.30,1,130\n"
    )


DESKTOP = ViewportSize(width=1280, height=900)
PHONE = ViewportSize(width=390, height=844)


def log_in(page: Page, base_url: str, username: str, password: str, admin: bool = False) -> None:
    page.goto(f"{base_url}/{'admin/login/' if admin else 'accounts/login/'}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("[type=submit]")
    page.wait_for_load_state("networkidle")


def shoot(page: Page, out: Path, name: str, full_page: bool = True) -> None:
    path = out / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    print(f"  {path.relative_to(ROOT)}")


def client_pages(page: Page, base_url: str, out: Path) -> None:
    page.goto(f"{base_url}/dashboard/")
    shoot(page, out, "dashboard")
    page.click("table.data tbody th a")
    page.wait_for_load_state("networkidle")
    shoot(page, out, "drilldown-campaign")
    page.click("table.data tbody th a")
    page.wait_for_load_state("networkidle")
    shoot(page, out, "drilldown-strategy")
    for extra in EXTRA_CLIENT_PAGES:
        extra(page, base_url, out)


def phone_pages(page: Page, base_url: str, out: Path) -> None:
    page.goto(f"{base_url}/dashboard/")
    shoot(page, out, "dashboard-phone")


def borealis_upload(page: Page, base_url: str, out: Path, tmp: Path) -> None:
    """Borealis uploads a small export with one bad row (once: the same file again is refused
    as a duplicate, and the first upload's result is shown instead)."""
    export = tmp / "Borealis-Meta-retargeting-check.csv"
    export.write_text(upload_with_a_bad_row())
    page.goto(f"{base_url}/dashboard/")
    shoot(page, out, "dashboard-three-sources")
    page.goto(f"{base_url}/uploads/")
    page.set_input_files("#id_file", str(export))
    page.click("#upload-submit")
    page.wait_for_load_state("networkidle")
    page.goto(f"{base_url}/uploads/")
    shoot(page, out, "uploads")
    page.get_by_role("link", name=export.name).first.click()
    page.wait_for_load_state("networkidle")
    shoot(page, out, "upload-result")


def admin_pages(page: Page, base_url: str, out: Path) -> None:
    page.goto(f"{base_url}/admin/")
    shoot(page, out, "admin-index")
    for name, path in ADMIN_PAGES:
        page.goto(f"{base_url}{path}")
        shoot(page, out, name)


# Filled in as pages exist; each takes (page, base_url, out).
def summaries(page: Page, base_url: str, out: Path) -> None:
    page.goto(f"{base_url}/summaries/weekly/")
    shoot(page, out, "summaries-weekly")
    page.locator("table.summaries tbody th a").nth(1).click()  # the last complete week
    page.wait_for_load_state("networkidle")
    shoot(page, out, "summary-week")


EXTRA_CLIENT_PAGES: list[Callable[[Page, str, Path], None]] = [summaries]
ADMIN_PAGES: list[tuple[str, str]] = [
    ("admin-health", "/admin/ingestion/health/"),
    ("admin-margin", "/admin/metrics/margin/"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base_url = args.base_url.rstrip("/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(viewport=DESKTOP)
            page = context.new_page()
            log_in(page, base_url, *CLIENT_LOGIN)
            client_pages(page, base_url, out)
            context.close()

            context = browser.new_context(viewport=PHONE, device_scale_factor=2)
            page = context.new_page()
            log_in(page, base_url, *CLIENT_LOGIN)
            phone_pages(page, base_url, out)
            context.close()

            context = browser.new_context(viewport=DESKTOP)
            page = context.new_page()
            log_in(page, base_url, "borealis", CLIENT_LOGIN[1])
            with tempfile.TemporaryDirectory() as tmp:
                borealis_upload(page, base_url, out, Path(tmp))
            context.close()

            context = browser.new_context(viewport=DESKTOP)
            page = context.new_page()
            log_in(page, base_url, *ADMIN_LOGIN, admin=True)
            admin_pages(page, base_url, out)
            context.close()
        finally:
            browser.close()


if __name__ == "__main__":
    main()
