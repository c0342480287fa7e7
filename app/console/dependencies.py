"""Who is at the console, and whether a form really comes from it."""

import hmac
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from app.config import SettingsDep
from app.console.sessions import CSRF_FIELD, ConsoleSession, load_console_session
from app.db import SessionDep
from app.errors import Forbidden
from app.users.models import Role

# What a browser says of a form post's origin: the console's own pages, or the user typing.
ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})


class CrossSiteRequest(Forbidden):
    code = "cross-site-request"


async def get_console_session(
    request: Request, session: SessionDep, settings: SettingsDep
) -> ConsoleSession:
    return await load_console_session(request, session, settings)


ConsoleDep = Annotated[ConsoleSession, Depends(get_console_session)]


def own_origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def check_same_site(request: Request) -> None:
    """Refuse a form posted from another site. `Sec-Fetch-Site` first (browsers send
    `Origin: null` with our `Referrer-Policy: no-referrer`); else an `Origin`, which must be
    the service's own."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None:
        if fetch_site not in ALLOWED_FETCH_SITES:
            raise CrossSiteRequest("This form was sent from another site; nothing was changed.")
        return
    origin = request.headers.get("origin")
    if origin is not None and origin != own_origin(request):
        raise CrossSiteRequest("This form was sent from another site; nothing was changed.")


async def check_form(request: Request, console: ConsoleDep) -> ConsoleSession:
    """A state-changing form of a signed-in user: same site, with this session's token."""
    check_same_site(request)
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not hmac.compare_digest(
        sent.encode(), console.csrf_token.encode()
    ):
        raise Forbidden("This form has expired or is not from this session; nothing was changed.")
    return console


async def check_sign_in_form(request: Request) -> None:
    check_same_site(request)


def _role_guard(role: Role, source: Callable[..., Awaitable[ConsoleSession]]) -> object:
    async def require_role(console: Annotated[ConsoleSession, Depends(source)]) -> ConsoleSession:
        if console.identity.user.role is not role:
            raise Forbidden(f"This page is for {role.value} accounts only.")
        return console

    return Depends(require_role)


ConsoleClinician = Annotated[ConsoleSession, _role_guard(Role.clinician, get_console_session)]
ConsoleAdmin = Annotated[ConsoleSession, _role_guard(Role.admin, get_console_session)]
ClinicianForm = Annotated[ConsoleSession, _role_guard(Role.clinician, check_form)]
AdminForm = Annotated[ConsoleSession, _role_guard(Role.admin, check_form)]
StaffForm = Annotated[ConsoleSession, Depends(check_form)]
