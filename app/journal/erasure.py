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
from app.journal.counters import close_journal
from app.journal.models import JournalEntry
from app.users.models import User

ERASED_DISPLAY_NAME = "Erased participant"


async def erase_participant(session: AsyncSession, identity: Identity) -> None:
    """End every session, delete journal content and profile data, close the assignment.

    The users row stays with its id and nothing else that identifies the person, so that
    the audit trail (append-only, needed to show who read what) keeps a pseudonymous subject.
    Two erasures at once (two devices) erase and audit once; the second does nothing.
    """
    now = utcnow()
    # First of all, so that the erasure holds the lock every journal write takes: writes in
    # flight commit before it goes on, later ones wait, then find the mark and store nothing.
    if not await close_journal(session, identity.user.id, now):
        return
    user = await session.get_one(User, identity.user.id)
    await revoke_user_sessions(session, user.id)
    # A statement of its own, after the lock: on PostgreSQL its snapshot then includes the
    # entries of every write that committed while the erasure waited.
    for model in (JournalEntry, ReviewMark):
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
