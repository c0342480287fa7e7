"""The admin's account pages: list, create (the code shown once), deactivate, reactivate,
new code. Through the same service functions as `/v1/admin/users`; never journal content."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import TypeAdapter

from app.admin import service
from app.admin.schemas import ApprovalRead, UserCreate, UserUpdate
from app.config import SettingsDep
from app.console import oversight_router, settings_router
from app.console.dependencies import AdminForm, ConsoleAdmin
from app.console.pages import render
from app.db import SessionDep
from app.users.models import Role

router = APIRouter(prefix="/admin", include_in_schema=False)
ACCOUNTS_PAGE = 50
ROLE_FILTER: TypeAdapter[Role | None] = TypeAdapter(Role | None)


@router.get("/accounts")
async def accounts(
    request: Request,
    console: ConsoleAdmin,
    session: SessionDep,
    role: Annotated[str | None, Query(max_length=20)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> Response:
    """Accounts in the order they were created; an empty filter (`role=`) is no filter."""
    chosen = ROLE_FILTER.validate_python(role or None)
    page = await service.list_accounts(
        session, role=chosen, limit=ACCOUNTS_PAGE, cursor=cursor, search=q or None
    )
    context = {
        "accounts": page.items,
        "next_cursor": page.next_cursor,
        "role": chosen.value if chosen else "",
        "roles": [member.value for member in Role],
        "q": q or "",
    }
    return render(request, "accounts.html", context, console=console)


@router.post("/accounts")
async def create_account(
    request: Request,
    email: Annotated[str, Form()],
    role: Annotated[str, Form()],
    display_name: Annotated[str, Form()],
    console: AdminForm,
    session: SessionDep,
    settings: SettingsDep,
    timezone: Annotated[str, Form()] = "UTC",
) -> Response:
    """Creates the account and shows its one-time activation code on this page only (it is
    not in any URL, and the page is not stored: `Cache-Control: no-store`)."""
    data = UserCreate.model_validate(
        {"email": email, "role": role, "display_name": display_name, "timezone": timezone}
    )
    user, code = await service.create_account(session, settings, console.identity.actor, data)
    context = {"account": user, "code": code.code, "expires_at": code.expires_at}
    return render(request, "activation_code.html", context, console=console, status_code=201)


async def _set_active(
    session: SessionDep, console: AdminForm, user_id: uuid.UUID, active: bool
) -> Response:
    changes = UserUpdate(is_active=active)
    await service.update_account(session, console.identity.actor, user_id, changes)
    done = "reactivated" if active else "deactivated"
    return RedirectResponse(f"/console/admin/accounts?done={done}", status_code=303)


@router.post("/accounts/{user_id}/deactivate")
async def deactivate_account(
    user_id: uuid.UUID, console: AdminForm, session: SessionDep
) -> Response:
    return await _set_active(session, console, user_id, active=False)


@router.post("/accounts/{user_id}/reactivate")
async def reactivate_account(
    user_id: uuid.UUID, console: AdminForm, session: SessionDep
) -> Response:
    return await _set_active(session, console, user_id, active=True)


@router.post("/accounts/{user_id}/activation-code")
async def issue_activation_code(
    request: Request,
    user_id: uuid.UUID,
    console: AdminForm,
    session: SessionDep,
    settings: SettingsDep,
) -> Response:
    """A fresh code, shown once on this page; or, when a second admin must approve the
    recovery, a note saying so."""
    actor = console.identity.actor
    result = await service.reissue_activation_code(session, settings, actor, user_id)
    if isinstance(result, ApprovalRead):
        return RedirectResponse("/console/admin/accounts?done=pending", status_code=303)
    (account,) = await service.with_caseloads(
        session, [await service.get_account(session, user_id)]
    )
    context = {"account": account, "code": result.code, "expires_at": result.expires_at}
    return render(request, "activation_code.html", context, console=console, status_code=201)


router.include_router(oversight_router.router)
router.include_router(settings_router.router)
