import uuid
from dataclasses import dataclass, fields
from datetime import datetime

from app.audit.service import Actor
from app.users.models import Role, User


@dataclass(frozen=True, slots=True)
class SignedInUser:
    """The caller's account, read with their session on every request.

    A plain row, not an ORM object (loading an entity on every request cost a tenth of an
    entry POST's CPU): services that change the account load it by `id`."""

    id: uuid.UUID
    email: str
    role: Role
    display_name: str
    timezone: str
    is_active: bool
    created_at: datetime
    updated_at: datetime
    share_notes_with_care_team: bool = False

    @classmethod
    def of(cls, user: User) -> "SignedInUser":
        return cls(*(getattr(user, field.name) for field in fields(cls)))


@dataclass(frozen=True)
class Identity:
    """The signed-in user of a request, with the session their token belongs to."""

    user: SignedInUser
    session_id: uuid.UUID
    request_id: str | None

    @property
    def actor(self) -> Actor:
        return Actor(self.user.id, self.user.role.value, self.request_id, self.user.display_name)


@dataclass(frozen=True)
class ClientInfo:
    """What we know of an anonymous caller: for throttling and the audit trail."""

    address: str
    request_id: str | None

    @property
    def anonymous_actor(self) -> Actor:
        return Actor(None, None, self.request_id)
