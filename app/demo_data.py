"""Sample journal content for the demo clinic: assignments and four weeks of entries."""

import random
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from app.access import caseload_of, clinician_scope, own_scope
from app.alerts.defaults import DEFAULT_RULES
from app.alerts.inbox import acknowledge, list_inbox, resolve
from app.alerts.rule_store import set_participant_rules
from app.alerts.rules import AlertRuleSet
from app.assessments.schedules import set_schedule
from app.assessments.schemas import AssessmentCreate, AssessmentScheduleUpdate
from app.assessments.service import create_assessment
from app.audit.service import Actor
from app.auth.identity import Identity, SignedInUser
from app.care.backups import set_backup
from app.care.service import assign_clinician, get_open_assignment
from app.db import utcnow
from app.instruments.definitions import INSTRUMENTS
from app.journal.schemas import EntryCreate
from app.journal.service import create_entry
from app.support.schemas import SupportUpdate
from app.support.service import set_support
from app.sweeper.service import escalate_due
from app.users.models import Role, User

DEMO_DAYS = 28
# Example entries with their sources: a real clinic enters its own on-call line and checks
# the national lines of its country (`verified_at`) before relying on them.
DEMO_SUPPORT = SupportUpdate.model_validate(
    {
        "message": "If you need to talk to someone now, these people are there for you.",
        "resources": [
            {
                "name": "Demo clinic on-call line (example)",
                "description": "A clinician of the programme answers. This demo number is "
                "not connected.",
                "country": "GB",
                "phone": "+44 20 7946 0000",
                "hours": "24 hours, every day",
            },
            {
                "name": "Samaritans",
                "description": "Free listening support in the UK and Ireland, any time.",
                "country": "GB",
                "phone": "116 123",
                "url": "https://www.samaritans.org/",
                "hours": "24 hours, every day",
                "source_url": "https://www.samaritans.org/how-we-can-help/contact-samaritan/",
            },
        ],
    }
)
DEMO_TAGS = ["walk", "work", "family", "good-sleep", "poor-sleep", "exercise", "friends"]
DEMO_NOTES = [
    "Slept well and took a long walk at lunch.",
    "Busy day at work; hard to settle in the evening.",
    "Dinner with friends, felt close to people.",
    None,
    None,
]


def _clamp(value: float) -> int:
    return max(0, min(10, round(value)))


def _demo_entries(
    participant: User, rng: random.Random, *, anxious_days: int = 0
) -> list[EntryCreate]:
    """Four weeks of entries; the last `anxious_days` with anxiety 9 (to show an alert)."""
    zone = ZoneInfo(participant.timezone)
    today = utcnow().astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    baseline = rng.uniform(4, 7)
    entries = []
    for days_ago in range(DEMO_DAYS, 0, -1):
        day = today - timedelta(days=days_ago)
        for hour in rng.sample([8, 13, 21], k=rng.choice([1, 1, 2])):
            mood = baseline + rng.gauss(0, 1.5) + (DEMO_DAYS - days_ago) * 0.03
            recorded_at = datetime(
                day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=zone
            )
            entries.append(
                EntryCreate(
                    recorded_at=recorded_at,
                    mood=_clamp(mood),
                    focus=_clamp(mood + rng.gauss(0, 1.5)),
                    anxiety=9 if days_ago <= anxious_days else _clamp(10 - mood + rng.gauss(0, 2)),
                    creativity=_clamp(rng.gauss(5, 2)) if rng.random() < 0.6 else None,
                    connection=_clamp(rng.gauss(6, 2)) if rng.random() < 0.6 else None,
                    note=rng.choice(DEMO_NOTES),
                    tags=rng.sample(DEMO_TAGS, k=rng.randrange(3)),
                )
            )
    return entries


async def populate_demo_journal(session: AsyncSession, users: list[User]) -> None:
    """Assign the participants to the clinicians in turn and write their entries."""
    admin = next(user for user in users if user.role is Role.admin)
    clinicians = [user for user in users if user.role is Role.clinician]
    participants = [user for user in users if user.role is Role.participant]
    actor = Actor(admin.id, admin.role.value, "demo")
    rng = random.Random(20261125)  # noqa: S311 - sample data, not security
    await set_support(session, actor, DEMO_SUPPORT)
    for index, participant in enumerate(participants):
        clinician = clinicians[index % len(clinicians)]
        await assign_clinician(session, actor, participant.id, clinician.id)
    await show_supervision(session, actor, clinicians, participants)
    for participant in participants:
        # Written as the participant would write them, through their own scope.
        identity = Identity(SignedInUser.of(participant), uuid.uuid4(), request_id="demo")
        scope = own_scope(identity)
        anxious_days = ANXIOUS_DAYS if participant.email.split("@")[0] in ALERTED else 0
        for entry in _demo_entries(participant, rng, anxious_days=anxious_days):
            await create_entry(session, scope, entry)
    await settle_alerts(session, clinicians, participants)
    await demo_assessments(session, clinicians, participants, rng)


# Whose last three days were anxious (the default rule `anxiety-high-3d` fires for each),
# and what happened to each alert since: a newcomer sees every state in the inbox at once.
ANXIOUS_DAYS = 3
ALERTED = {"sam": "escalated", "mika": "open", "ren": "acknowledged", "alex": "resolved"}


def _named(users: list[User], name: str) -> User:
    return next(user for user in users if user.email.split("@")[0] == name)


async def show_supervision(
    session: AsyncSession, actor: Actor, clinicians: list[User], participants: list[User]
) -> None:
    """Sam's backup is the other clinician, and Sam's clinician has asked for a short
    acknowledgement deadline for Sam: Sam's alert is escalated, and the backup covers."""
    sam, okafor = _named(participants, "sam"), clinicians[0]
    await set_backup(session, actor, sam.id, clinicians[1].id)
    scope = await clinician_scope(session, _identity(okafor), sam.id)
    quick = DEFAULT_RULES.model_copy(deep=True)
    own = [rule for rule in quick.rules if rule.key == "anxiety-high-3d"]
    for rule in own:
        rule.acknowledge_within_minutes = 1
    await set_participant_rules(session, scope, AlertRuleSet(rules=own))


def _identity(user: User) -> Identity:
    return Identity(SignedInUser.of(user), uuid.uuid4(), request_id="demo")


async def settle_alerts(
    session: AsyncSession, clinicians: list[User], participants: list[User]
) -> None:
    """Acknowledge Ren's alert, resolve Alex's, and escalate Sam's (its deadline passed)."""
    for name, state in ALERTED.items():
        participant = _named(participants, name)
        assignment = await get_open_assignment(session, participant.id)
        assert assignment is not None  # noqa: S101 - every demo participant is assigned
        clinician = next(c for c in clinicians if c.id == assignment.clinician_id)
        identity = _identity(clinician)
        (alert,), _ = await list_inbox(
            session, caseload_of(identity), status=None, severity=None,
            participant_id=participant.id, limit=1, cursor=None,
        )  # fmt: skip
        if state == "acknowledged":
            await acknowledge(session, identity, caseload_of(identity), alert.id)
        elif state == "resolved":
            note = "Talked it through at the weekly call; steadier since."
            await resolve(session, identity, caseload_of(identity), alert.id, note)
    await escalate_due(session, "demo", utcnow() + timedelta(minutes=2))


# Fortnightly questionnaires over the four weeks: PHQ-9 (item 9 answered 0, which says
# nothing more than that) and GAD-7, each participant's clinician asking for both.
DEMO_INSTRUMENTS = {"phq-9": (3, 14), "gad-7": (2, 12)}


def _answers(items: int, top: int, total: int, rng: random.Random) -> list[int]:
    answers = [0] * items
    for _ in range(total):
        open_items = [i for i in range(items - 1) if answers[i] < top] or [0]
        answers[rng.choice(open_items)] += 1
    return answers


async def demo_assessments(
    session: AsyncSession, clinicians: list[User], participants: list[User], rng: random.Random
) -> None:
    for participant in participants:
        assignment = await get_open_assignment(session, participant.id)
        assert assignment is not None  # noqa: S101 - every demo participant is assigned
        clinician = next(c for c in clinicians if c.id == assignment.clinician_id)
        care = await clinician_scope(session, _identity(clinician), participant.id)
        own = own_scope(_identity(participant))
        for instrument, (top, highest) in DEMO_INSTRUMENTS.items():
            await set_schedule(session, care, instrument, AssessmentScheduleUpdate(every_days=14))
            items = len(INSTRUMENTS[instrument].items)
            for days_ago in (22, 8):
                completed = utcnow() - timedelta(days=days_ago, hours=rng.randrange(8))
                total = rng.randrange(2, highest)
                data = AssessmentCreate(
                    instrument=instrument,
                    completed_at=completed,
                    answers=_answers(items, top, total, rng),
                )
                await create_assessment(session, own, data)
