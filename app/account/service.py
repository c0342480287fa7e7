"""The signed-in account: its profile, and for a participant their clinician."""

from dataclasses import asdict

from sqlalchemy.ext.asyncio import AsyncSession

from app.account.schemas import MeRead, MeUpdate, MyClinician
from app.audit.notices import count_unseen_notices
from app.audit.service import AuditAction, record_event
from app.auth.identity import Identity
from app.care import service as care
from app.users.models import Role, User
from app.users.schemas import UserRead

# One audit event per field that changed: which field, never its old or new value.
_PROFILE_CHANGES = {
    "display_name": AuditAction.profile_display_name_change,
    "timezone": AuditAction.profile_timezone_change,
    "share_notes_with_care_team": AuditAction.profile_note_sharing_change,
}


async def get_me(session: AsyncSession, identity: Identity) -> MeRead:
    """The caller's account, with the count of security notices they have not listed yet."""
    unseen = 0
    if identity.user.role is Role.participant:
        unseen = await count_unseen_notices(session, identity.user.id)
    return MeRead(**asdict(identity.user), unseen_security_notices=unseen)


async def update_me(session: AsyncSession, identity: Identity, changes: MeUpdate) -> MeRead:
    """Change the caller's display name, time zone or (participants) note-sharing default;
    fields left out stay as they are.

    Each field that really changes is audited (the field, not the values); a request that
    changes nothing records nothing."""
    user = await session.get_one(User, identity.user.id)
    changed = []
    for field, value in changes.model_dump(exclude_unset=True).items():
        if value is None or value == getattr(user, field):
            continue
        setattr(user, field, value)
        changed.append(field)
    await session.flush()
    await session.refresh(user)
    participant_id = user.id if user.role is Role.participant else None
    for field in changed:
        await record_event(
            session,
            identity.actor,
            _PROFILE_CHANGES[field],
            participant_id=participant_id,
            subject_id=user.id,
        )
    unseen = await count_unseen_notices(session, user.id) if participant_id else 0
    return MeRead(
        **UserRead.model_validate(user).model_dump(),
        share_notes_with_care_team=user.share_notes_with_care_team,
        unseen_security_notices=unseen,
    )


async def get_my_clinician(session: AsyncSession, identity: Identity) -> MyClinician:
    """The participant's clinician now, or `null`."""
    return MyClinician(clinician=await care.get_current_clinician(session, identity.user.id))
