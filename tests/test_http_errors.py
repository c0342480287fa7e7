"""The HTTP contract every endpoint shares: problem+json errors, rejected input changes
nothing, security headers, request ids, body limits, media types, CORS and 500s."""

import json
import re
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import insert

from app.auth.models import LoginFailure
from app.db import SessionDep, utcnow
from app.models import Base
from app.users.models import Role
from tests.conftest import Account, Accounts, ServeApp

MIB = 1024 * 1024
PROBLEM = "application/problem+json"


def assert_problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    problem: dict[str, object] = response.json()
    assert problem["status"] == status
    assert {"type", "title", "status", "detail"} <= set(problem)
    assert str(problem["type"]).startswith("https://")
    return problem


def fields(problem: dict[str, object]) -> list[str]:
    errors = problem["errors"]
    assert isinstance(errors, list)
    return [error["field"] for error in errors]


async def row_counts(accounts: Accounts) -> dict[str, int]:
    return {table: await accounts.count(table) for table in Base.metadata.tables}


@pytest.fixture
async def participant(accounts: Accounts) -> Account:
    return await accounts.make(Role.participant, display_name="Sam")


# --- bad input: the documented 4xx, and nothing written -------------------------------


BAD_JSON_BODIES = {
    "malformed-json": (b'{"refresh_token": "rt_abc"', 422),
    "trailing-garbage": (b'{"refresh_token": "rt_abc"} x', 422),
    "not-an-object": (b'["rt_abc"]', 422),
    "unknown-field": (b'{"refresh_token": "rt_abc", "surprise": 1}', 422),
    "nul-byte": (b'{"refresh_token": "rt_\\u0000abc"}', 422),
    "wrong-type": (b'{"refresh_token": 42}', 422),
    "empty-object": (b"{}", 422),
    "invalid-utf8": (b'{"refresh_token": "\xff\xfe"}', 422),
}


@pytest.mark.parametrize(("body", "status"), BAD_JSON_BODIES.values(), ids=BAD_JSON_BODIES.keys())
async def test_bad_json_to_a_writing_endpoint_is_a_problem_and_writes_nothing(
    client: httpx.AsyncClient, accounts: Accounts, participant: Account, body: bytes, status: int
) -> None:
    before = await row_counts(accounts)

    response = await client.post(
        "/v1/auth/refresh", content=body, headers={"Content-Type": "application/json"}
    )

    problem = assert_problem(response, status)
    assert problem["errors"]
    assert await row_counts(accounts) == before


async def test_validation_errors_name_each_bad_field(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    response = await client.post(
        "/v1/auth/activate",
        json={"email": "not-an-email", "activation_code": "", "password": "x", "extra": True},
    )

    problem = assert_problem(response, 422)
    assert sorted(fields(problem)) == [
        "body.activation_code",
        "body.email",
        "body.extra",
    ]
    assert problem["detail"]
    for error in problem["errors"]:  # type: ignore[attr-defined]
        assert set(error) == {"field", "message", "code"}
    assert await accounts.count("audit_events") == 0


async def test_unknown_field_in_a_profile_update_changes_nothing(
    client: httpx.AsyncClient, accounts: Accounts, participant: Account
) -> None:
    response = await client.patch(
        "/v1/me", json={"display_name": "Changed", "colour": "blue"}, headers=participant.headers
    )

    assert fields(assert_problem(response, 422)) == ["body.colour"]
    assert (await client.get("/v1/me", headers=participant.headers)).json()["display_name"] == "Sam"


async def test_nul_byte_in_a_json_string_is_refused(
    client: httpx.AsyncClient, accounts: Accounts, participant: Account
) -> None:
    response = await client.patch(
        "/v1/me", json={"display_name": "Sam\x00Taylor"}, headers=participant.headers
    )

    assert fields(assert_problem(response, 422)) == ["body.display_name"]
    assert (await client.get("/v1/me", headers=participant.headers)).json()["display_name"] == "Sam"


@pytest.mark.parametrize("field", ["username", "password"])
async def test_nul_byte_in_the_sign_in_form_is_refused_without_counting_a_failure(
    client: httpx.AsyncClient, accounts: Accounts, participant: Account, field: str
) -> None:
    form = {"username": participant.email, "password": "lantern meadow copper whistle 42"}
    form[field] = form[field][:3] + "\x00" + form[field][3:]

    response = await client.post("/v1/auth/token", data=form)

    assert fields(assert_problem(response, 422)) == [f"body.{field}"]
    assert await accounts.count("login_failures") == 0
    assert await accounts.count("audit_events") == 0


async def test_sign_in_form_with_missing_fields_names_them(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/auth/token", data={"username": "sam@example.org"})

    assert fields(assert_problem(response, 422)) == ["body.password"]


async def test_validation_problems_do_not_echo_the_input(
    client: httpx.AsyncClient, participant: Account
) -> None:
    secret = "my private thoughts about today"

    response = await client.patch(
        "/v1/me", json={"timezone": secret, "display_name": 7}, headers=participant.headers
    )

    assert_problem(response, 422)
    assert secret not in response.text
    assert '"input"' not in response.text


# --- body size and media type -----------------------------------------------------------


async def test_oversized_body_with_content_length_is_413(
    client: httpx.AsyncClient, accounts: Accounts, participant: Account
) -> None:
    before = await row_counts(accounts)
    body = json.dumps({"display_name": "x" * (MIB + 1)}).encode()

    response = await client.patch(
        "/v1/me",
        content=body,
        headers={**participant.headers, "Content-Type": "application/json"},
    )

    assert_problem(response, 413)
    assert await row_counts(accounts) == before


async def test_oversized_streamed_body_without_content_length_is_413(
    client: httpx.AsyncClient, accounts: Accounts, participant: Account
) -> None:
    before = await row_counts(accounts)

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"display_name": "'
        for _ in range(20):
            yield b"x" * (64 * 1024)
        yield b'"}'

    response = await client.patch(
        "/v1/me",
        content=chunks(),
        headers={**participant.headers, "Content-Type": "application/json"},
    )

    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert_problem(response, 413)
    assert await row_counts(accounts) == before
    assert (await client.get("/v1/me", headers=participant.headers)).json()["display_name"] == "Sam"


async def test_oversized_streamed_sign_in_form_is_413(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"username=sam%40example.org&password="
        for _ in range(20):
            yield b"x" * (64 * 1024)

    response = await client.post(
        "/v1/auth/token",
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert_problem(response, 413)
    assert await accounts.count("login_failures") == 0


async def test_body_just_under_the_limit_is_read(
    client: httpx.AsyncClient, participant: Account
) -> None:
    body = json.dumps({"display_name": "x" * (MIB - 100)}).encode()

    response = await client.patch(
        "/v1/me",
        content=body,
        headers={**participant.headers, "Content-Type": "application/json"},
    )

    # Read and validated (too long a name), not refused for its size.
    assert fields(assert_problem(response, 422)) == ["body.display_name"]


@pytest.mark.parametrize(
    "content_type",
    [None, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"],
)
async def test_json_endpoint_refuses_other_media_types_with_415(
    client: httpx.AsyncClient, accounts: Accounts, participant: Account, content_type: str | None
) -> None:
    before = await row_counts(accounts)
    headers = dict(participant.headers)
    if content_type is not None:
        headers["Content-Type"] = content_type

    response = await client.patch("/v1/me", content=b'{"display_name": "New"}', headers=headers)

    assert_problem(response, 415)
    assert await row_counts(accounts) == before


async def test_json_media_type_with_charset_is_accepted(
    client: httpx.AsyncClient, participant: Account
) -> None:
    response = await client.patch(
        "/v1/me",
        content=b'{"display_name": "New"}',
        headers={**participant.headers, "Content-Type": "application/json; charset=utf-8"},
    )

    assert response.status_code == 200


# --- routing ----------------------------------------------------------------------------


async def test_unknown_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    assert_problem(await client.get("/v1/does-not-exist"), 404)
    assert_problem(await client.post("/v2/auth/token", data={"username": "a"}), 404)


async def test_wrong_method_is_a_405_problem_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/auth/token")

    assert_problem(response, 405)
    assert "POST" in response.headers["allow"]
    assert_problem(await client.delete("/healthz"), 405)


# --- headers ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/healthz", "/v1/me", "/v1/nowhere"])
async def test_every_response_carries_the_security_headers(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)

    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_client_request_id_is_echoed_beside_a_server_made_one(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "mobile-1234.abc:def"})

    assert response.headers["x-client-request-id"] == "mobile-1234.abc:def"
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


@pytest.mark.parametrize("sent", [None, "has spaces in it", "x" * 129, "<script>"])
async def test_request_id_is_generated_when_missing_or_unsafe(
    client: httpx.AsyncClient, sent: str | None
) -> None:
    headers = {} if sent is None else {"X-Request-ID": sent}

    first = await client.get("/healthz", headers=headers)
    second = await client.get("/healthz", headers=headers)

    assert re.fullmatch(r"[0-9a-f]{32}", first.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


async def test_request_id_reaches_the_audit_trail(
    client: httpx.AsyncClient, accounts: Accounts, participant: Account
) -> None:
    response = await client.post(
        "/v1/auth/token",
        data={"username": participant.email, "password": "not the right password at all"},
        headers={"X-Request-ID": "trace-42"},
    )

    assert await accounts.sql("SELECT request_id, client_request_id FROM audit_events") == [
        (response.headers["x-request-id"], "trace-42")
    ]


# --- unexpected errors ------------------------------------------------------------------


async def test_unexpected_exception_is_a_500_problem_without_details_and_rolls_back(
    app: FastAPI,
    client: httpx.AsyncClient,
    accounts: Accounts,
    emitted_logs: Callable[[], str],
) -> None:
    note = "today I felt " + "low and told nobody"

    async def explode(session: SessionDep) -> None:
        await session.execute(
            insert(LoginFailure).values(email_hash="h", client_address="a", failed_at=utcnow())
        )
        raise RuntimeError(note)

    app.add_api_route("/test/explode", explode, methods=["POST"])

    response = await client.post("/test/explode", headers={"X-Request-ID": "boom-1"})

    problem = assert_problem(response, 500)
    assert problem["detail"] == "An unexpected error occurred."
    assert note not in response.text
    assert "Traceback" not in response.text
    assert "RuntimeError" not in response.text
    assert response.headers["x-client-request-id"] == "boom-1"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert await accounts.count("login_failures") == 0
    logs = emitted_logs()
    assert "RuntimeError" in logs
    assert note not in logs


# --- CORS -------------------------------------------------------------------------------


def preflight(origin: str) -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": "PATCH",
        "Access-Control-Request-Headers": "authorization, content-type",
    }


async def test_cors_preflight_from_an_allowed_origin_is_allowed(serve_app: ServeApp) -> None:
    async with serve_app(cors_origins=["https://dash.example"]) as served:
        response = await served.client.options("/v1/me", headers=preflight("https://dash.example"))

        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "https://dash.example"
        assert "PATCH" in response.headers["access-control-allow-methods"]
        assert "authorization" in response.headers["access-control-allow-headers"].lower()


async def test_cors_preflight_from_another_origin_is_refused(serve_app: ServeApp) -> None:
    async with serve_app(cors_origins=["https://dash.example"]) as served:
        response = await served.client.options("/v1/me", headers=preflight("https://evil.example"))

        assert response.status_code == 400
        assert "access-control-allow-origin" not in response.headers
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 400


async def test_cors_simple_request_is_labelled_only_for_an_allowed_origin(
    serve_app: ServeApp,
) -> None:
    async with serve_app(cors_origins=["https://dash.example"]) as served:
        allowed = await served.client.get("/healthz", headers={"Origin": "https://dash.example"})
        other = await served.client.get("/healthz", headers={"Origin": "https://evil.example"})

        assert allowed.headers["access-control-allow-origin"] == "https://dash.example"
        assert "x-request-id" in allowed.headers["access-control-expose-headers"].lower()
        assert "access-control-allow-origin" not in other.headers


async def test_without_configured_origins_no_cors_headers_are_sent(
    client: httpx.AsyncClient,
) -> None:
    response = await client.options("/v1/me", headers=preflight("https://dash.example"))

    assert "access-control-allow-origin" not in response.headers
