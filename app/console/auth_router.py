"""Signing in to the console and out of it."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.dependencies import ClientDep
from app.config import SettingsDep
from app.console.dependencies import StaffForm, check_sign_in_form, get_console_session
from app.console.pages import render
from app.console.sessions import (
    COOKIE_NAME,
    COOKIE_PATH,
    SignedOut,
    sign_in_to_console,
    sign_out_of_console,
)
from app.db import SessionDep
from app.errors import NotAuthenticated

router = APIRouter(include_in_schema=False)

ENDED_MESSAGE = (
    "Your session has ended (after 30 minutes without activity, or it was signed out). "
    "Please sign in again."
)


def home_of(role: str) -> str:
    return "/console/admin/accounts" if role == "admin" else "/console/"


@router.get("/sign-in")
async def sign_in_form(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """The e-mail and password form; a signed-in user goes to their home page instead."""
    try:
        console = await get_console_session(request, session, settings)
    except SignedOut:
        ended = request.query_params.get("ended") == "1"
        return render(request, "sign_in.html", {"error": ENDED_MESSAGE if ended else None})
    return RedirectResponse(home_of(console.identity.user.role.value), status_code=303)


@router.post("/sign-in", dependencies=[Depends(check_sign_in_form)])
async def sign_in(
    request: Request,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    session: SessionDep,
    settings: SettingsDep,
    client: ClientDep,
) -> Response:
    """Checked, throttled and audited exactly as `POST /v1/auth/token`; staff only."""
    try:
        cookie = await sign_in_to_console(session, settings, client, email, password)
    except NotAuthenticated as refused:
        # The counted failure and its audit event stay (the session commits them).
        context = {"error": refused.detail, "email": email}
        return render(request, "sign_in.html", context, status_code=401)
    response = RedirectResponse("/console/", status_code=303)
    response.set_cookie(
        COOKIE_NAME,
        cookie,
        path=COOKIE_PATH,
        httponly=True,
        samesite="strict",
        secure=settings.env == "production",
    )
    return response


@router.post("/sign-out")
async def sign_out(console: StaffForm, session: SessionDep) -> Response:
    """Ends the session at once (as `POST /v1/auth/logout`) and clears the cookie."""
    await sign_out_of_console(session, console)
    response = RedirectResponse("/console/sign-in?done=signed-out", status_code=303)
    response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH, httponly=True, samesite="strict")
    return response
