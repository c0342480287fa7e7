"""Console sign-in, sessions, CSRF and site checks, and the hostile inputs of issue 15."""

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from app.audit.models import AuditEvent
from app.auth.models import AuthSession
from app.db import utcnow
from app.users.models import Role, User
from tests.conftest import TEST_PASSWORD, Accounts, ServeApp
from tests.console import SAME_ORIGIN, console_session, get_page, post_form, session_id_of
from tests.helpers import care_team

SIGN_IN = "/console/sign-in"


async def console_sign_in(
    client: httpx.AsyncClient, email: str, password: str = TEST_PASSWORD
) -> httpx.Response:
    client.cookies.clear()
    return await client.post(
        SIGN_IN, data={"email": email, "password": password}, headers=SAME_ORIGIN
    )


async def test_staff_sign_in_sets_a_strict_http_only_cookie_on_the_console_path(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    clinician = await accounts.make(Role.clinician, signed_in=False)

    response = await console_sign_in(client, clinician.email)

    assert response.status_code == 303
    assert response.headers["location"] == "/console/"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie
    assert ("auth.sign_in", "success") in await accounts.audit_actions()


async def test_the_cookie_is_secure_in_production(serve_app: ServeApp) -> None:
    async with serve_app(env="production") as served:
        admin = await served.accounts.make(Role.admin, signed_in=False)
        response = await console_sign_in(served.client, admin.email)
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]


async def test_wrong_password_and_unknown_email_get_the_same_answer_and_are_audited(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    clinician = await accounts.make(Role.clinician, signed_in=False)

    wrong = await console_sign_in(client, clinician.email, "not the password at all")
    unknown = await console_sign_in(client, "nobody@example.org")

    assert wrong.status_code == unknown.status_code == 401
    assert "Incorrect e-mail or password." in wrong.text
    assert "Incorrect e-mail or password." in unknown.text
    assert "set-cookie" not in wrong.headers
    assert (await accounts.audit_actions()).count(("auth.sign_in", "failure")) == 2


async def test_a_participant_is_refused_and_gets_no_session(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    participant = await accounts.make(Role.participant, signed_in=False)

    response = await console_sign_in(client, participant.email)

    assert response.status_code == 401
    assert "participants use the app" in response.text
    assert "set-cookie" not in response.headers
    assert await accounts.count("auth_sessions") == 0
    assert ("auth.sign_in", "failure") in await accounts.audit_actions()


async def test_sign_in_is_throttled_like_the_api(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    clinician = await accounts.make(Role.clinician, signed_in=False)
    await accounts.record_login_failures(clinician.email, 10, address="127.0.0.1")

    response = await console_sign_in(client, clinician.email)

    assert response.status_code == 429
    wait = response.headers["retry-after"]
    assert f"wait {wait} seconds" in response.text


async def test_a_cross_site_sign_in_form_is_refused(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    clinician = await accounts.make(Role.clinician, signed_in=False)
    response = await client.post(
        SIGN_IN,
        data={"email": clinician.email, "password": TEST_PASSWORD},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403
    assert await accounts.count("auth_sessions") == 0


async def test_a_bearer_token_does_not_open_the_console(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    clinician = await accounts.make(Role.clinician)
    response = await client.get("/console/", headers=clinician.headers)
    assert response.status_code == 303
    assert response.headers["location"] == SIGN_IN


async def test_a_console_cookie_does_not_open_the_api(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    me = await console_session(app, await accounts.make(Role.clinician))
    response = await client.get("/v1/me", headers=me.headers)
    assert response.status_code == 401


async def test_a_participant_cookie_made_by_hand_does_not_open_the_console(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    me = await console_session(app, await accounts.make(Role.participant))
    response = await get_page(client, me, "/console/")
    assert response.status_code == 303


async def test_a_forged_cookie_is_signed_out(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    me = await console_session(app, await accounts.make(Role.clinician))
    user_id, session_id, mac = me.cookie.split(".")
    client.cookies.clear()
    forged = f"journal_console={user_id}.{session_id}.{'0' * len(mac)}"
    response = await client.get("/console/", headers={"Cookie": forged})
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("token", "headers"),
    [
        (None, SAME_ORIGIN),
        ("another session's", SAME_ORIGIN),
        ("own", {"Sec-Fetch-Site": "cross-site"}),
        ("own", {"Sec-Fetch-Site": "same-site"}),
        ("own", {"Origin": "https://evil.example"}),
        ("own", {"Origin": "null"}),
    ],
)
async def test_a_form_without_this_sessions_token_or_from_another_site_changes_nothing(
    app: FastAPI,
    client: httpx.AsyncClient,
    accounts: Accounts,
    token: str | None,
    headers: dict[str, str],
) -> None:
    admin = await console_session(app, await accounts.make(Role.admin))
    other = await console_session(app, await accounts.make(Role.admin))
    target = await accounts.make(Role.clinician)
    fields = {"own": admin.csrf_token, "another session's": other.csrf_token}
    client.cookies.clear()
    body = {"csrf_token": fields[token]} if token else {}

    response = await client.post(
        f"/console/admin/accounts/{target.id}/deactivate",
        data=body,
        headers={**admin.headers, **headers},
    )

    assert response.status_code == 403, response.text
    assert "nothing was changed" in response.text
    assert await accounts.rows(select(User.is_active).where(User.id == target.id)) == [(True,)]
    assert (
        await accounts.rows(select(AuthSession.id).where(AuthSession.revoked_at.is_not(None))) == []
    )


async def test_a_same_origin_form_with_the_token_works(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await console_session(app, await accounts.make(Role.admin))
    target = await accounts.make(Role.clinician)
    for headers in (SAME_ORIGIN, {"Origin": "http://testserver"}, {}):
        response = await post_form(
            client, admin, f"/console/admin/accounts/{target.id}/deactivate", headers=headers
        )
        assert response.status_code == 303, response.text


async def test_an_idle_session_goes_back_to_sign_in_with_a_message(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    me = await console_session(app, await accounts.make(Role.clinician))
    assert (await get_page(client, me, "/console/")).status_code == 200
    await accounts.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id_of(me))
        .values(idle_expires_at=utcnow())
    )

    response = await get_page(client, me, "/console/")

    assert response.status_code == 303
    assert response.headers["location"] == "/console/sign-in?ended=1"
    page = await client.get(response.headers["location"])
    assert "30 minutes without activity" in page.text


async def test_a_page_moves_the_idle_deadline_on(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    me = await console_session(app, await accounts.make(Role.clinician))
    soon = utcnow()
    await accounts.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id_of(me))
        .values(idle_expires_at=soon + timedelta(minutes=1))
    )
    assert (await get_page(client, me, "/console/")).status_code == 200
    ((deadline,),) = await accounts.rows(
        select(AuthSession.idle_expires_at).where(AuthSession.id == session_id_of(me))
    )
    assert (deadline - soon).total_seconds() > 29 * 60


async def test_sign_out_ends_the_session(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    me = await console_session(app, await accounts.make(Role.clinician))

    response = await post_form(client, me, "/console/sign-out")

    assert response.status_code == 303
    assert 'journal_console=""' in response.headers["set-cookie"]
    assert (await get_page(client, me, "/console/")).status_code == 303
    assert ("auth.logout", "success") in await accounts.audit_actions()


async def test_deactivation_ends_a_console_session(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await console_session(app, await accounts.make(Role.admin))
    clinician = await accounts.make(Role.clinician)
    me = await console_session(app, clinician)
    await post_form(client, admin, f"/console/admin/accounts/{clinician.id}/deactivate")
    assert (await get_page(client, me, "/console/")).status_code == 303


async def test_an_unassigned_participant_is_404_like_an_unknown_one(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _, _, (person,) = await care_team(client, accounts)
    stranger = await console_session(app, await accounts.make(Role.clinician))
    for path in (
        f"/console/participants/{person.id}",
        "/console/participants/5f0c8a9e-0000-4000-8000-000000000000",
        "/console/participants/not-an-id",
        "/console/no-such-page",
    ):
        response = await get_page(client, stranger, path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("text/html")
    events = await accounts.rows(
        select(AuditEvent.action).where(AuditEvent.participant_id == person.id)
    )
    assert ("clinician.read_profile",) not in events


async def test_html_in_names_and_notes_is_shown_as_text(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, clinician, (person,) = await care_team(client, accounts)
    hostile = "<script>alert(1)</script>"
    await accounts.execute(update(User).where(User.id == person.id).values(display_name=hostile))
    me = await console_session(app, clinician)
    await post_form(
        client,
        me,
        f"/console/participants/{person.id}/notes",
        {"text": "<img src=x onerror=alert(2)>", "visibility": "care_team"},
    )
    for who, path in (
        (me, "/console/"),
        (me, f"/console/participants/{person.id}"),
        (await console_session(app, admin), "/console/admin/accounts"),
    ):
        page = await get_page(client, who, path)
        assert page.status_code == 200, page.text
        assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


async def test_a_huge_query_string_is_a_friendly_page_not_an_error(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    me = await console_session(app, await accounts.make(Role.clinician))
    for query in ("q=" + "x" * 60_000, "cursor=" + "A" * 60_000, "cursor=garbage"):
        response = await get_page(client, me, f"/console/?{query}")
        assert response.status_code in (400, 422), response.text
        assert response.headers["content-type"].startswith("text/html")


async def test_an_unexpected_error_is_a_500_page_without_a_trace(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.clinician import service

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(service, "list_assigned_participants", broken)
    me = await console_session(app, await accounts.make(Role.clinician))

    response = await get_page(client, me, "/console/")

    assert response.status_code == 500
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert "content-security-policy" in response.headers


async def test_a_password_change_ends_the_console_session(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    clinician = await accounts.make(Role.clinician)
    me = await console_session(app, clinician)
    changed = await client.post(
        "/v1/me/password",
        json={"current_password": TEST_PASSWORD, "new_password": "quiet orchard paper kite 93"},
        headers=clinician.headers,
    )
    assert changed.status_code == 204, changed.text
    response = await get_page(client, me, "/console/")
    assert response.status_code == 303
    assert response.headers["location"] == "/console/sign-in?ended=1"
