"""Sessions: refresh-token rotation and reuse, logout, deactivation and password changes."""

import asyncio
from datetime import timedelta

import httpx
from sqlalchemy import update

from app.auth.models import AuthSession, RefreshToken
from app.db import utcnow
from app.users.models import Role, User
from tests.conftest import TEST_PASSWORD, Account, Accounts, ServeApp, sign_in

NEW_PASSWORD = "seven amber kites over the quiet harbour"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def refresh(client: httpx.AsyncClient, refresh_token: str) -> httpx.Response:
    return await client.post("/v1/auth/refresh", json={"refresh_token": refresh_token})


async def me_status(client: httpx.AsyncClient, access_token: str) -> int:
    return (await client.get("/v1/me", headers=bearer(access_token))).status_code


async def test_refresh_returns_a_new_working_pair_that_is_not_cached(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)

    response = await refresh(client, account.refresh_token)

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    pair = response.json()
    assert pair["token_type"] == "bearer"
    assert pair["refresh_token"] != account.refresh_token
    assert pair["access_token"] != account.access_token
    assert await me_status(client, pair["access_token"]) == 200
    # The new pair belongs to the same session: the old access token still works.
    assert await me_status(client, account.access_token) == 200
    assert await accounts.count("auth_sessions") == 1


async def test_a_chain_of_refreshes_keeps_working(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)
    token = account.refresh_token

    for _ in range(3):
        response = await refresh(client, token)
        assert response.status_code == 200
        token = response.json()["refresh_token"]


async def test_reusing_a_rotated_refresh_token_ends_the_whole_session(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)
    rotated = (await refresh(client, account.refresh_token)).json()
    newest = (await refresh(client, rotated["refresh_token"])).json()

    # The first token's successor has been used since: this is no lost answer, but a thief.
    replay = await refresh(client, account.refresh_token)

    assert replay.status_code == 401
    assert replay.headers["www-authenticate"] == "Bearer"
    assert replay.headers["content-type"] == "application/problem+json"
    assert (await refresh(client, newest["refresh_token"])).status_code == 401
    assert await me_status(client, newest["access_token"]) == 401
    assert await me_status(client, account.access_token) == 401
    rows = await accounts.sql(
        "SELECT actor_id, outcome FROM audit_events WHERE action = 'auth.refresh_token_reuse'"
    )
    assert len(rows) == 1
    assert str(rows[0][0]).replace("-", "") == account.id.hex
    assert rows[0][1] == "failure"


async def test_a_refresh_retried_after_a_lost_answer_gets_the_same_pair(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)
    first = await refresh(client, account.refresh_token)  # the answer that never arrived

    retry = await refresh(client, account.refresh_token)

    assert first.status_code == retry.status_code == 200
    lost, again = first.json(), retry.json()
    assert again["refresh_token"] == lost["refresh_token"]
    assert again["access_token"] == lost["access_token"]
    assert 0 < again["expires_in"] <= lost["expires_in"]
    assert retry.headers["cache-control"] == "no-store"
    assert await me_status(client, again["access_token"]) == 200
    # The chain goes on from the pair given twice, and nothing was taken for theft.
    assert (await refresh(client, again["refresh_token"])).status_code == 200
    assert await accounts.count("auth_sessions") == 1
    assert ("auth.refresh_token_reuse", "failure") not in await accounts.audit_actions()


async def test_a_used_refresh_token_past_the_grace_window_ends_the_session(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)
    newest = (await refresh(client, account.refresh_token)).json()
    await accounts.execute(
        update(RefreshToken)
        .where(RefreshToken.used_at.is_not(None))
        .values(used_at=utcnow() - timedelta(seconds=31))
    )

    assert (await refresh(client, account.refresh_token)).status_code == 401

    assert (await refresh(client, newest["refresh_token"])).status_code == 401
    assert await me_status(client, newest["access_token"]) == 401
    assert ("auth.refresh_token_reuse", "failure") in await accounts.audit_actions()


async def test_without_a_grace_window_any_reuse_ends_the_session(serve_app: ServeApp) -> None:
    async with serve_app(refresh_reuse_grace_seconds=0) as served:
        account = await served.accounts.make(Role.participant)
        newest = (await refresh(served.client, account.refresh_token)).json()

        assert (await refresh(served.client, account.refresh_token)).status_code == 401
        assert await me_status(served.client, newest["access_token"]) == 401


async def test_reuse_of_a_refresh_token_ends_only_that_session(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)
    other_session = (await sign_in(client, account.email)).json()
    rotated = (await refresh(client, account.refresh_token)).json()
    await refresh(client, rotated["refresh_token"])

    assert (await refresh(client, account.refresh_token)).status_code == 401

    assert await me_status(client, other_session["access_token"]) == 200
    assert (await refresh(client, other_session["refresh_token"])).status_code == 200


async def test_concurrent_refreshes_with_one_token_get_one_pair(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)

    answers = await asyncio.gather(
        refresh(client, account.refresh_token), refresh(client, account.refresh_token)
    )

    # One rotates; the other, a double send, is answered with the same pair.
    assert [answer.status_code for answer in answers] == [200, 200]
    pairs = [answer.json() for answer in answers]
    assert pairs[0]["refresh_token"] == pairs[1]["refresh_token"]
    assert (await refresh(client, pairs[0]["refresh_token"])).status_code == 200
    assert await accounts.count("refresh_tokens") == 3


async def test_unknown_refresh_token_is_refused(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    await accounts.make(Role.participant)

    response = await refresh(client, "rt_this-token-was-never-issued")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_refresh_token_of_an_idle_expired_session_is_refused(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)
    await accounts.execute(
        update(AuthSession)
        .where(AuthSession.user_id == account.id)
        .values(idle_expires_at=utcnow() - timedelta(seconds=1))
    )

    assert (await refresh(client, account.refresh_token)).status_code == 401


async def test_session_past_its_absolute_lifetime_is_over(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.clinician)
    past = utcnow() - timedelta(seconds=1)
    await accounts.execute(
        update(AuthSession)
        .where(AuthSession.user_id == account.id)
        .values(idle_expires_at=past, absolute_expires_at=past)
    )

    assert await me_status(client, account.access_token) == 401
    assert (await refresh(client, account.refresh_token)).status_code == 401


async def test_logout_ends_the_session_at_once(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)

    response = await client.post("/v1/auth/logout", headers=account.headers)

    assert response.status_code == 204
    assert response.content == b""
    after = await client.get("/v1/me", headers=account.headers)
    assert after.status_code == 401
    assert after.headers["www-authenticate"] == "Bearer"
    assert (await refresh(client, account.refresh_token)).status_code == 401
    assert ("auth.logout", "success") in await accounts.audit_actions()


async def test_logout_leaves_other_sessions_alone(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)
    other = (await sign_in(client, account.email)).json()

    assert (await client.post("/v1/auth/logout", headers=account.headers)).status_code == 204

    assert await me_status(client, other["access_token"]) == 200


async def test_logout_without_a_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/auth/logout")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


async def test_deactivation_kills_a_live_access_token_on_the_next_request(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.clinician)
    assert await me_status(client, account.access_token) == 200

    await accounts.execute(update(User).where(User.id == account.id).values(is_active=False))

    response = await client.get("/v1/me", headers=account.headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert (await refresh(client, account.refresh_token)).status_code == 401


async def test_erased_account_cannot_use_its_tokens(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)

    await accounts.execute(update(User).where(User.id == account.id).values(erased_at=utcnow()))

    assert await me_status(client, account.access_token) == 401
    assert (await refresh(client, account.refresh_token)).status_code == 401


async def test_password_change_ends_other_sessions_but_not_this_one(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)
    other = (await sign_in(client, account.email)).json()

    response = await change_password(client, account, TEST_PASSWORD, NEW_PASSWORD)

    assert response.status_code == 204
    assert await me_status(client, account.access_token) == 200
    assert (await refresh(client, account.refresh_token)).status_code == 200
    assert await me_status(client, other["access_token"]) == 401
    assert (await refresh(client, other["refresh_token"])).status_code == 401
    assert (await sign_in(client, account.email, TEST_PASSWORD)).status_code == 401
    assert (await sign_in(client, account.email, NEW_PASSWORD)).status_code == 200
    assert ("auth.password_change", "success") in await accounts.audit_actions()


async def test_password_change_with_a_wrong_current_password_changes_nothing(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)
    other = (await sign_in(client, account.email)).json()

    response = await change_password(client, account, "not my current password", NEW_PASSWORD)

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == ["body.current_password"]
    assert await me_status(client, other["access_token"]) == 200
    assert (await sign_in(client, account.email, TEST_PASSWORD)).status_code == 200


async def test_wrong_current_passwords_count_as_failed_sign_ins(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)
    await accounts.record_login_failures(account.email, 9)

    wrong = await change_password(client, account, "not my current password", NEW_PASSWORD)
    assert wrong.status_code == 422
    assert await accounts.count("login_failures") == 10
    assert ("auth.password_change", "failure") in await accounts.audit_actions()

    throttled = await change_password(client, account, TEST_PASSWORD, NEW_PASSWORD)

    assert throttled.status_code == 429
    assert int(throttled.headers["retry-after"]) >= 1
    assert (await sign_in(client, account.email, TEST_PASSWORD)).status_code == 429


async def change_password(
    client: httpx.AsyncClient, account: Account, current: str, new: str
) -> httpx.Response:
    return await client.post(
        "/v1/me/password",
        json={"current_password": current, "new_password": new},
        headers=account.headers,
    )


async def test_the_token_endpoint_takes_the_standard_refresh_grant(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)
    grant = {"grant_type": "refresh_token", "refresh_token": account.refresh_token}

    response = await client.post("/v1/auth/token", data=grant)

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    pair = response.json()
    assert pair["refresh_token"] != account.refresh_token
    assert await me_status(client, pair["access_token"]) == 200
    # Rotation as on /v1/auth/refresh: the same token again within the window, same pair.
    again = (await client.post("/v1/auth/token", data=grant)).json()
    assert (again["access_token"], again["refresh_token"]) == (
        pair["access_token"],
        pair["refresh_token"],
    )
    assert (await refresh(client, pair["refresh_token"])).status_code == 200


async def test_a_refused_grant_says_invalid_grant_as_oauth2_clients_expect(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    account = await accounts.make(Role.participant)

    refused_refresh = await client.post(
        "/v1/auth/token", data={"grant_type": "refresh_token", "refresh_token": "rt_unknown"}
    )
    refused_password = await client.post(
        "/v1/auth/token",
        data={"grant_type": "password", "username": account.email, "password": "x" * 20},
    )

    for refused in (refused_refresh, refused_password):
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["error"] == "invalid_grant"


async def test_a_grant_without_its_parameters_names_them(client: httpx.AsyncClient) -> None:
    no_token = await client.post("/v1/auth/token", data={"grant_type": "refresh_token"})
    nothing = await client.post("/v1/auth/token", data={"grant_type": "password"})
    unknown = await client.post("/v1/auth/token", data={"grant_type": "implicit"})

    assert no_token.status_code == nothing.status_code == unknown.status_code == 422
    assert [e["field"] for e in no_token.json()["errors"]] == ["body.refresh_token"]
    assert [e["field"] for e in nothing.json()["errors"]] == ["body.username", "body.password"]
    assert [e["field"] for e in unknown.json()["errors"]] == ["body.grant_type"]
