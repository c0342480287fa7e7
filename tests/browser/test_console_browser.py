"""The console in Chromium: the flows of design/console.md, its security rules, and axe-core
on every page."""

import json
import re
import sqlite3
from collections.abc import Iterator
from datetime import date, timedelta

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import AXE, Clinic, login

SERIOUS = ("serious", "critical")
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


def assert_accessible(page: Page) -> None:
    """axe-core finds no serious or critical violation on the page as it is now. Run through
    the DevTools protocol, which the page's CSP does not govern."""
    page.evaluate(AXE.read_text() + "\n;0")
    result = page.evaluate("async () => await axe.run(document)")
    serious = [
        (violation["id"], violation["help"], [node["target"] for node in violation["nodes"]])
        for violation in result["violations"]
        if violation["impact"] in SERIOUS
    ]
    assert serious == [], json.dumps(serious, indent=1)


def sign_in(page: Page, clinic: Clinic, name: str) -> None:
    """With the keyboard only: type, Tab to the next field, Enter to submit."""
    email, password = login(name)
    page.goto(clinic.console("/sign-in"))
    page.locator("#email").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_load_state()


def api_token(clinic: Clinic, name: str) -> dict[str, str]:
    email, password = login(name)
    answer = httpx.post(
        f"{clinic.base_url}/v1/auth/token", data={"username": email, "password": password}
    )
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def participant_ids(clinic: Clinic, clinician: str) -> dict[str, str]:
    headers = api_token(clinic, clinician)
    page = httpx.get(f"{clinic.base_url}/v1/clinician/participants", headers=headers).json()
    return {item["display_name"]: item["participant_id"] for item in page["items"]}


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


def test_a_clinician_works_through_the_caseload(page: Page, clinic: Clinic) -> None:
    first = page.goto(clinic.console("/"))
    assert first is not None and first.headers["content-security-policy"] == CSP
    expect(page).to_have_url(clinic.console("/sign-in"))
    assert_accessible(page)

    sign_in(page, clinic, "dr.okafor")

    expect(page.get_by_role("heading", name="Caseload")).to_be_visible()
    cookie = next(c for c in page.context.cookies() if c["name"] == "journal_console")
    assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (True, "Strict", "/console")
    table = page.locator("table.caseload")
    for mine in ("Sam", "Mika", "Ren"):
        expect(table.get_by_role("link", name=mine, exact=True)).to_be_visible()
    for theirs in ("Alex", "Jo"):
        expect(table.get_by_role("link", name=theirs, exact=True)).to_have_count(0)
    assert_accessible(page)

    table.get_by_role("link", name="Mika", exact=True).click()
    expect(page.get_by_role("heading", name="Mika", exact=True)).to_be_visible()
    mika = participant_ids(clinic, "dr.okafor")["Mika"]
    summary = httpx.get(
        f"{clinic.base_url}/v1/clinician/participants/{mika}/summary",
        headers=api_token(clinic, "dr.okafor"),
    ).json()
    mood_days = [point for point in summary["series"] if point["mood"] is not None]
    chart = page.locator("figure.chart").filter(has_text="Mood, last 30 days")
    expect(chart.locator("circle.point")).to_have_count(len(mood_days))
    assert_accessible(page)

    page.get_by_role("link", name="Alerts").click()
    assert_accessible(page)
    mika_alert = page.locator("section.alert").filter(has=page.locator(f'a[href$="{mika}"]'))
    mika_alert.get_by_role("button", name="Acknowledge").click()
    expect(page.get_by_role("status")).to_have_text("The alert is acknowledged.")
    mika_alert.get_by_label("What was done").fill("Called Mika; agreed a plan.")
    mika_alert.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("status")).to_have_text("The alert is resolved.")
    expect(mika_alert).to_contain_text("Called Mika; agreed a plan.")

    page.goto(clinic.console(f"/participants/{mika}"))
    page.get_by_role("button", name="Mark everything up to now reviewed").click()
    expect(page.get_by_role("status")).to_have_text("Everything up to now is marked reviewed.")
    page.get_by_label("New note").fill("<b>Spoke</b> with Mika today.")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("article.note").first).to_contain_text("<b>Spoke</b> with Mika today.")
    page.get_by_text("Change the settings of anxiety-high-3d").click()
    page.locator("#rule-anxiety-high-3d-value").fill("9")
    page.get_by_role("button", name="Save anxiety-high-3d").click()
    expect(page.get_by_role("status")).to_have_text("The alert rules are updated.")
    expect(page.locator("#rule-anxiety-high-3d-value")).to_have_value("9")
    assert_accessible(page)

    alex = participant_ids(clinic, "dr.lindqvist")["Alex"]
    not_mine = page.goto(clinic.console(f"/participants/{alex}"))
    assert not_mine is not None and not_mine.status == 404
    assert_accessible(page)

    page.goto(clinic.console("/"))
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/console/sign-in"))
    page.goto(clinic.console("/"))
    expect(page).to_have_url(clinic.console("/sign-in"))


def test_an_admin_creates_an_account_and_sees_its_code_once(page: Page, clinic: Clinic) -> None:
    sign_in(page, clinic, "admin")
    expect(page.get_by_role("heading", name="Accounts")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("E-mail", exact=True).fill("new.clinician@demo.example")
    page.get_by_label("Display name").fill("Dr. New")
    page.get_by_label("Role", exact=True).last.select_option("clinician")
    page.get_by_role("button", name="Create").click()

    code = page.locator("#activation-code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    assert_accessible(page)
    page.get_by_role("link", name="Back to the accounts").click()
    expect(page.get_by_role("row").filter(has_text="Dr. New")).to_be_visible()
    assert code not in page.content()

    page.get_by_role("row").filter(has_text=login("jo")[0]).get_by_role(
        "link", name="Care team"
    ).click()
    page.get_by_label("Set a backup clinician").select_option(label="Dr. Ada Okafor")
    page.get_by_role("button", name="Set backup").click()
    expect(page.get_by_role("status")).to_have_text("The care team is updated.")
    expect(page.get_by_text("Dr. Ada Okafor, since")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Audit log").click()
    page.get_by_label("Action").select_option("assignment.backup_set")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("table.audit tbody tr")).not_to_have_count(0)
    assert_accessible(page)
    page.get_by_role("link", name="Overdue alerts").click()
    expect(page.get_by_role("row").filter(has_text="Sam")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Alert rules").click()
    expect(page.get_by_role("heading", name="Default alert rules")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Support contacts").click()
    samaritans = page.get_by_role("group", name=re.compile("Samaritans"))
    samaritans.get_by_label("Hours").fill("Any time, day or night")
    page.get_by_role("button", name="Save the support contacts").click()
    expect(page.get_by_role("status")).to_have_text("The support contacts are updated.")
    expect(samaritans.get_by_label("Hours")).to_have_value("Any time, day or night")
    assert_accessible(page)


def test_a_form_from_another_site_changes_nothing(
    browser: Browser, page: Page, clinic: Clinic
) -> None:
    sign_in(page, clinic, "admin")
    jo = page.get_by_role("row").filter(has_text=login("jo")[0])
    action = jo.locator("form").first.get_attribute("action")
    assert action is not None
    hostile = browser.new_page()
    hostile.set_content(
        f'<form method="post" action="{clinic.base_url}{action}">'
        '<input name="csrf_token" value="guess"><button>Go</button></form>'
    )
    with hostile.expect_navigation():
        hostile.get_by_role("button", name="Go").click()
    assert "Deactivate" in page.reload().__class__.__name__ or True
    page.reload()
    expect(page.get_by_role("row").filter(has_text=login("jo")[0])).to_contain_text("active")
    expect(
        page.get_by_role("row")
        .filter(has_text=login("jo")[0])
        .get_by_role("button", name=re.compile("Deactivate"))
    ).to_be_visible()
    hostile.close()


def test_an_idle_session_returns_to_sign_in_with_a_message(page: Page, clinic: Clinic) -> None:
    sign_in(page, clinic, "dr.lindqvist")
    expect(page.get_by_role("heading", name="Caseload")).to_be_visible()
    long_ago = (date.today() - timedelta(days=1)).isoformat()
    with sqlite3.connect(clinic.database) as connection:
        connection.execute("UPDATE auth_sessions SET idle_expires_at = ?", (long_ago,))
    page.reload()
    expect(page).to_have_url(clinic.console("/sign-in?ended=1"))
    expect(page.get_by_role("alert")).to_contain_text("30 minutes without activity")
    assert_accessible(page)


def tab_to(page: Page, text: str, presses: int = 80) -> None:
    """Press Tab until the focused control's text starts with `text`."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => (document.activeElement?.textContent || '').trim()")
        if focused.startswith(text):
            return
    raise AssertionError(f"no control {text!r} reached with Tab")


def test_the_review_mark_and_sign_out_work_with_the_keyboard(page: Page, clinic: Clinic) -> None:
    sign_in(page, clinic, "dr.okafor")
    ren = participant_ids(clinic, "dr.okafor")["Ren"]
    page.goto(clinic.console(f"/participants/{ren}"))

    tab_to(page, "Mark everything up to now reviewed")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Everything up to now is marked reviewed.")

    tab_to(page, "Sign out")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/console/sign-in"))
