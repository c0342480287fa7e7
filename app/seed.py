"""Accounts made from the command line: the first admin, and the demo clinic."""

from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select

from app.auth.passwords import check_password_policy, hash_password
from app.config import Settings
from app.db import create_engine, create_sessionmaker
from app.errors import InvalidInput
from app.operations.service import schema_problem
from app.users.models import Role, User
from app.users.schemas import clean_display_name
from app.users.service import create_user

DEMO_PASSWORD = "violet harbour lanterns at midnight"  # noqa: S105 - published demo login
DEMO_DOMAIN = "demo.wellbeing-journal.example"


class AccountExists(Exception):
    """`journal create-admin` was given an e-mail that already has an account."""


class DatabaseNotReady(Exception):
    """The schema is not migrated yet; `journal migrate` comes first."""


def _checked_email(email: str) -> str:
    try:
        return validate_email(email, check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise InvalidInput("email", str(exc), "invalid-email") from exc


def _checked_display_name(display_name: str) -> str:
    try:
        return clean_display_name(display_name)[:100]
    except ValueError as exc:
        raise InvalidInput("display_name", f"The display name {exc}.") from exc


async def create_admin_account(
    settings: Settings, email: str, password: str, display_name: str
) -> None:
    """Create an admin from the command line; the same e-mail and password rules as the API."""
    email = _checked_email(email)
    display_name = _checked_display_name(display_name)
    await check_password_policy(password, "password", [email, display_name])
    engine = create_engine(settings)
    try:
        problem = await schema_problem(engine)
        if problem is not None:
            raise DatabaseNotReady(problem)
        async with create_sessionmaker(engine)() as session, session.begin():
            existing = await session.execute(select(User.id).where(User.email == email))
            if existing.first() is not None:
                raise AccountExists(f"an account with e-mail {email} already exists")
            await create_user(
                session,
                email=email,
                role=Role.admin,
                display_name=display_name,
                password_hash=await hash_password(password),
            )
    finally:
        await engine.dispose()


@dataclass
class DemoClinic:
    base_url: str
    logins: list[tuple[str, str]] = field(default_factory=list)
    created: bool = False

    def describe(self) -> str:
        lines = [
            "Demo clinic " + ("created." if self.created else "already present; nothing changed."),
            f"Interactive docs: {self.base_url}/docs (Authorize with any login below)",
            f"Clinic console: {self.base_url}/console/ (sign in as a clinician or the admin)",
            f"Password for every demo account: {DEMO_PASSWORD}",
        ]
        lines += [f"  {role:<12} {email}" for role, email in self.logins]
        return "\n".join(lines)


DEMO_ACCOUNTS: list[tuple[Role, str, str, str]] = [
    (Role.admin, "admin", "Clinic Admin", "Europe/London"),
    (Role.clinician, "dr.okafor", "Dr. Ada Okafor", "Europe/London"),
    (Role.clinician, "dr.lindqvist", "Dr. Erik Lindqvist", "Europe/Stockholm"),
    (Role.participant, "sam", "Sam", "Europe/London"),
    (Role.participant, "alex", "Alex", "America/New_York"),
    (Role.participant, "mika", "Mika", "Asia/Tokyo"),
    (Role.participant, "jo", "Jo", "Europe/Berlin"),
    (Role.participant, "ren", "Ren", "Australia/Sydney"),
]


async def load_demo(settings: Settings, base_url: str = "http://127.0.0.1:8000") -> DemoClinic:
    """Create the demo clinic unless it exists already (idempotent); the schema must be
    at head (`journal demo` migrates first)."""
    from app.demo_data import populate_demo_journal

    clinic = DemoClinic(
        base_url=base_url,
        logins=[(role.value, f"{name}@{DEMO_DOMAIN}") for role, name, _, _ in DEMO_ACCOUNTS],
    )
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session, session.begin():
            admin_email = f"admin@{DEMO_DOMAIN}"
            found = await session.execute(select(User.id).where(User.email == admin_email))
            if found.first() is not None:
                return clinic
            password_hash = await hash_password(DEMO_PASSWORD)
            users = [
                await create_user(
                    session,
                    email=f"{name}@{DEMO_DOMAIN}",
                    role=role,
                    display_name=display_name,
                    timezone=timezone,
                    password_hash=password_hash,
                )
                for role, name, display_name, timezone in DEMO_ACCOUNTS
            ]
            await populate_demo_journal(session, users)
            clinic.created = True
    finally:
        await engine.dispose()
    return clinic
