"""Console helpers for the tests: a signed-in browser-like client for a staff account, and
the pieces of a page a test looks for."""

import re
import uuid
from dataclasses import dataclass

import httpx
from fastapi import FastAPI

from app.auth.service import start_session
from app.auth.tokens import decode_access_token
from app.console.sessions import COOKIE_NAME, cookie_value, csrf_token_of
from app.db import utcnow
from app.users.models import User
from tests.conftest import Account

SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}


@dataclass
class ConsoleUser:
    account: Account
    cookie: str
    csrf_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Cookie": f"{COOKIE_NAME}={self.cookie}"}

    def form(self, **fields: str) -> dict[str, str]:
        return {"csrf_token": self.csrf_token, **fields}


async def console_session(app: FastAPI, account: Account) -> ConsoleUser:
    """A console session for `account` (what signing in makes, without Argon2's wait)."""
    settings = app.state.settings
    async with app.state.sessionmaker() as session, session.begin():
        user = await session.get_one(User, account.id)
        pair = await start_session(session, settings, user, utcnow())
    claims = decode_access_token(settings, pair.access_token)
    assert claims is not None
    return ConsoleUser(
        account,
        cookie_value(settings, account.id, claims.session_id),
        csrf_token_of(settings, claims.session_id),
    )


async def get_page(client: httpx.AsyncClient, who: ConsoleUser, path: str) -> httpx.Response:
    client.cookies.clear()
    return await client.get(path, headers=who.headers)


async def post_form(
    client: httpx.AsyncClient,
    who: ConsoleUser,
    path: str,
    fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    client.cookies.clear()
    return await client.post(
        path,
        data=who.form(**(fields or {})),
        headers={**who.headers, **(headers if headers is not None else SAME_ORIGIN)},
    )


def session_id_of(who: ConsoleUser) -> uuid.UUID:
    return uuid.UUID(who.cookie.split(".")[1])


def chart_points(html: str) -> int:
    return len(re.findall(r'<circle class="point"', html))
