from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select

from app.auth.dependencies import get_identity, oauth2_scheme
from app.auth.identity import Identity
from app.auth.tokens import decode_access_token
from app.config import SettingsDep
from app.db import SessionDep
from app.errors import Forbidden
from app.users.models import Role, User


async def get_erasable_participant(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Identity | None:
    """The participant to erase, or None when a genuine token of theirs arrives after the
    erasure already happened (a retried request), so that erasure is idempotent."""
    claims = decode_access_token(settings, token) if token else None
    if claims is not None:
        erased_at = (
            await session.execute(select(User.erased_at).where(User.id == claims.user_id))
        ).scalar_one_or_none()
        if erased_at is not None:
            return None
    identity = await get_identity(request, session, token)
    if identity.user.role is not Role.participant:
        raise Forbidden("This operation is for participant accounts only.")
    return identity


ErasableParticipant = Annotated[Identity | None, Depends(get_erasable_participant)]
