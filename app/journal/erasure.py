"""Erasure of a participant's account (GDPR art. 17)."""

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import AuditAction, record_event
from app.auth.identity import Identity
from app.auth.models import ActivationCode
from app.auth.service import revoke_user_sessions
from app.care.models import CareAssignment
from app.clinician.models import ReviewMark
from app.db import utcnow
from app.journal.models import JournalCounter, JournalEntry
from app.users.models import User

ERASED_DISPLAY_NAME = "Erased participant"


async def erase_participant(session: AsyncSession, identity: Identity) -> None:
    """End every session, delete journal content and profile data, close the assignment.

    The users row stays with its id and nothing else that identifies the person, so that
    the audit trail (append-only, needed to show who read what) keeps a pseudonymous subject.
    """
    user = await session.get_one(User, identity.user.id)
    now = utcnow()
    await revoke_user_sessions(session, user.id)
    for model in (JournalEntry, JournalCounter, ReviewMark):
        await session.execute(delete(model).where(model.participant_id == user.id))
    await session.execute(delete(ActivationCode).where(ActivationCode.user_id == user.id))
    await session.execute(
        update(CareAssignment)
        .where(CareAssignment.participant_id == user.id, CareAssignment.ended_at.is_(None))
        .values(ended_at=now, ended_by=user.id)
    )
    user.email = f"erased-{user.id.hex}@erased.invalid"
    user.display_name = ERASED_DISPLAY_NAME
    user.timezone = "UTC"
    user.password_hash = None
    user.is_active = False
    user.erased_at = now
    await record_event(session, identity.actor, AuditAction.account_erase, participant_id=user.id)
    await session.flush()
