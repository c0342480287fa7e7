import enum
import uuid
from datetime import datetime

from sqlalchemy import Boolean, Enum, String, Uuid, false
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime, utcnow


class Role(enum.StrEnum):
    participant = "participant"
    clinician = "clinician"
    admin = "admin"


class User(Base):
    __tablename__ = "users"
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # Stored lower-cased, so that the unique constraint ignores case.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="user_role", native_enum=False, length=16, validate_strings=True)
    )
    display_name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Set by account erasure: the row stays so audit events keep a pseudonymous actor.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # A participant's default for `note_shared` on the entries they write from now on.
    share_notes_with_care_team: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # The newest security notice the participant has been shown: later ones count as unseen.
    security_notices_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
