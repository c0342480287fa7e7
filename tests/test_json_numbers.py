"""A body Python cannot read as JSON is 422 like any malformed JSON, never a bare 400.

Python converts at most 4,300 digits to an int (its guard against quadratic parsing), so a
5,000-digit number raised a `ValueError` that FastAPI answered with `400` and no problem
detail; nesting past the recursion limit did the same. Nothing is stored either way."""

from typing import Any

import httpx
import pytest

from app.users.models import Role
from tests.conftest import Account, Accounts
from tests.helpers import count_entries

HUGE = "9" * 5000


def assert_unreadable_json(response_status: int, problem: dict[str, Any], words: str) -> None:
    assert response_status == 422
    assert problem["type"] == "https://wellbeing-journal.example/problems/validation-error"
    assert problem["status"] == 422
    (error,) = problem["errors"]
    assert error["field"] == "body"
    assert error["code"] == "json_invalid"
    assert words in error["message"]


@pytest.mark.parametrize("field", ["mood", "creativity"])
async def test_entry_with_a_5000_digit_rating_is_422_and_stores_nothing(
    client: httpx.AsyncClient, accounts: Accounts, field: str
) -> None:
    sam: Account = await accounts.make()
    others = {"mood": 5, "focus": 5, "anxiety": 5, "creativity": 5}
    fields = ", ".join(
        f'"{name}": {HUGE if name == field else value}' for name, value in others.items()
    )
    body = f'{{"recorded_at": "2026-11-20T08:30:00+01:00", {fields}}}'

    response = await client.post(
        "/v1/me/entries",
        content=body,
        headers={**sam.headers, "Content-Type": "application/json"},
    )

    assert_unreadable_json(response.status_code, response.json(), "more than 4300 digits")
    assert response.headers["content-type"] == "application/problem+json"
    assert await count_entries(accounts) == 0


async def test_admin_account_creation_with_a_5000_digit_number_is_422(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    before = await accounts.count("users")
    body = f'{{"email": "new@example.org", "role": "participant", "display_name": {HUGE}}}'

    response = await client.post(
        "/v1/admin/users",
        content=body,
        headers={**admin.headers, "Content-Type": "application/json"},
    )

    assert_unreadable_json(response.status_code, response.json(), "more than 4300 digits")
    assert await accounts.count("users") == before


async def test_activation_with_a_5000_digit_code_is_422(client: httpx.AsyncClient) -> None:
    body = f'{{"email": "new@example.org", "activation_code": {HUGE}, "password": "x"}}'

    response = await client.post(
        "/v1/auth/activate", content=body, headers={"Content-Type": "application/json"}
    )

    assert_unreadable_json(response.status_code, response.json(), "more than 4300 digits")


async def test_json_nested_past_the_recursion_limit_is_422(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    depth = 100_000  # 200 kB: under the body limit, far past Python's recursion limit
    body = '{"tags": ' + "[" * depth + "]" * depth + "}"

    response = await client.patch(
        "/v1/me", content=body, headers={**sam.headers, "Content-Type": "application/json"}
    )

    assert_unreadable_json(response.status_code, response.json(), "nested too deeply")


async def test_a_long_number_within_the_limit_is_an_ordinary_field_error(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    body = '{"recorded_at": "2026-11-20T08:30:00+01:00", "mood": ' + "9" * 4000
    body += ', "focus": 5, "anxiety": 5}'

    response = await client.post(
        "/v1/me/entries", content=body, headers={**sam.headers, "Content-Type": "application/json"}
    )

    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["body.mood"]
