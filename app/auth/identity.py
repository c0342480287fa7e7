import uuid
from dataclasses import dataclass

from app.audit.service import Actor
from app.users.models import User


@dataclass(frozen=True)
class Identity:
    """The signed-in user of a request, with the session their token belongs to."""

    user: User
    session_id: uuid.UUID
    request_id: str | None

    @property
    def actor(self) -> Actor:
        return Actor(self.user.id, self.user.role.value, self.request_id)


@dataclass(frozen=True)
class ClientInfo:
    """What we know of an anonymous caller: for throttling and the audit trail."""

    address: str
    request_id: str | None

    @property
    def anonymous_actor(self) -> Actor:
        return Actor(None, None, self.request_id)
