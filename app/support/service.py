"""The clinic's support contacts: set by an admin (audited), read by participants."""

import hashlib
import json

from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Actor, AuditAction, record_event
from app.db import upsert_into, utcnow
from app.support.models import SupportSettings
from app.support.schemas import SupportRead, SupportSettingsRead, SupportUpdate


async def _settings(session: AsyncSession) -> SupportSettings | None:
    return await session.get(SupportSettings, 1, populate_existing=True)


async def get_support(session: AsyncSession) -> SupportRead:
    """The message and contacts as a participant sees them (`message: null` until set)."""
    settings = await _settings(session)
    if settings is None:
        return SupportRead(message=None, resources=[])
    return SupportRead.model_validate(
        {"message": settings.message, "resources": settings.resources}
    )


async def support_configured(session: AsyncSession) -> bool:
    """Whether the clinic has entered at least one contact."""
    settings = await _settings(session)
    return settings is not None and bool(settings.resources)


def support_etag(support: SupportRead) -> str:
    """A strong ETag of what a participant is shown: an app caches it for offline use."""
    body = json.dumps(support.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return '"' + hashlib.sha256(body.encode()).hexdigest()[:32] + '"'


async def get_support_settings(session: AsyncSession) -> SupportSettingsRead:
    settings = await _settings(session)
    if settings is None:
        return SupportSettingsRead(message=None, resources=[], updated_at=None)
    return SupportSettingsRead.model_validate(
        {
            "message": settings.message,
            "resources": settings.resources,
            "updated_at": settings.updated_at,
        }
    )


async def set_support(
    session: AsyncSession, actor: Actor, update: SupportUpdate
) -> SupportSettingsRead:
    """Replace the whole list and message at once; audited (that it changed, not what)."""
    now = utcnow()
    values = {
        "message": update.message,
        "resources": [resource.model_dump(mode="json") for resource in update.resources],
        "updated_at": now,
        "updated_by": actor.user_id,
    }
    await session.execute(
        upsert_into(session, SupportSettings)
        .values(id=1, **values)
        .on_conflict_do_update(index_elements=[SupportSettings.id], set_=values)
    )
    await record_event(session, actor, AuditAction.support_update)
    return SupportSettingsRead(message=update.message, resources=update.resources, updated_at=now)
