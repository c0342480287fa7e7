"""Screenshots of the clinic console's main pages at 1280 by 800, for a reviewer to look at.

    .venv/bin/journal demo && .venv/bin/journal serve &
    .venv/bin/python scripts/console_screenshots.py --base-url http://127.0.0.1:8000

Signs in to the demo clinic (`journal demo`) as a clinician and as the admin with Debian's
Chromium (`apt-get install -y chromium`) and writes PNG files to `docs/console/`.
"""

import argparse
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from app.seed import DEMO_DOMAIN, DEMO_PASSWORD

CHROMIUM = "/usr/bin/chromium"
OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "console"


def sign_in(page: Page, base_url: str, name: str) -> None:
    page.goto(f"{base_url}/console/sign-in")
    page.get_by_label("E-mail").fill(f"{name}@{DEMO_DOMAIN}")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def take(page: Page, output: Path, name: str) -> None:
    path = output / f"{name}.png"
    page.screenshot(path=str(path))
    print(f"wrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    base_url: str = args.base_url.rstrip("/")
    output: Path = args.output
    output.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        clinician = browser.new_page(viewport={"width": 1280, "height": 800})
        sign_in(clinician, base_url, "dr.okafor")
        take(clinician, output, "caseload")
        clinician.locator("table.caseload").get_by_role("link", name="Mika", exact=True).click()
        clinician.locator("#charts-30").evaluate("heading => heading.scrollIntoView()")
        take(clinician, output, "participant")
        clinician.goto(f"{base_url}/console/alerts")
        take(clinician, output, "alerts")
        admin = browser.new_page(viewport={"width": 1280, "height": 800})
        sign_in(admin, base_url, "admin")
        take(admin, output, "accounts")
        browser.close()


if __name__ == "__main__":
    main()
