"""Erasure of a participant's account (GDPR art. 17): each domain erases what it owns."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import own_scope
from app.alerts.rule_store import erase_participant_alerting
from app.assessments.service import erase_assessments
from app.audit.service import AuditAction, record_event
from app.auth.identity import Identity
from app.auth.service import forget_credentials
from app.care.service import end_care_of_erased
from app.clinician.service import erase_clinician_records
from app.db import utcnow
from app.events.service import erase_events
from app.experience.service import erase_reports
from app.integrations.consents import erase_consents
from app.journal.service import erase_journal
from app.users.service import erase_profile


async def erase_account(session: AsyncSession, identity: Identity) -> None:
    """End every session, delete journal content and profile data, close the assignment.

    The users row stays with its id and nothing else that identifies the person, so that
    the audit trail (append-only, needed to show who read what) keeps a pseudonymous subject.
    Two erasures at once (two devices) erase and audit once; the second does nothing.
    """
    scope = own_scope(identity)
    now = utcnow()
    # First of all: the journal's fence (see `erase_journal`).
    if not await erase_journal(session, scope, now):
        return
    await forget_credentials(session, scope.participant_id)
    await erase_clinician_records(session, scope)
    await erase_assessments(session, scope)
    await erase_reports(session, scope)
    await erase_participant_alerting(session, scope)
    await erase_consents(session, scope)
    await erase_events(session, scope)
    await end_care_of_erased(session, scope.participant_id, now)
    await erase_profile(session, scope.participant_id, now)
    await record_event(
        session, identity.actor, AuditAction.account_erase, participant_id=scope.participant_id
    )
    await session.flush()
