import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.db import PARTICIPANT_OWNED, Base, UTCDateTime, utcnow


class AuthSession(Base):
    """A sign-in: the access tokens it issues carry its id and die with it."""

    __tablename__ = "auth_sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    idle_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    absolute_expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RefreshToken(Base):
    """Every refresh token ever issued, by hash; a used one presented again is token theft."""

    __tablename__ = "refresh_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("auth_sessions.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ActivationCode(Base):
    """A one-time code an admin hands over so that an account can set its password."""

    __tablename__ = "activation_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class LoginFailure(Base):
    """One failed sign-in or activation, counted per e-mail and per client address.

    Kept in the database so that the limits hold across processes and restarts.
    The e-mail is stored only as a hash.
    """

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_email_hash_failed_at", "email_hash", "failed_at"),
        Index("ix_login_failures_client_address_failed_at", "client_address", "failed_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    email_hash: Mapped[str] = mapped_column(String(64))
    client_address: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IntegrationClient(Base):
    """Another system's OAuth2 client (client credentials): its scopes, and its secret as a
    hash. Its tokens carry `secret_version` and die when it changes (rotation) or when the
    client is deactivated, checked on every request as a person's session is."""

    __tablename__ = "integration_clients"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(500))
    # Space-separated, as OAuth2 writes scopes.
    scopes: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(64))
    secret_version: Mapped[int] = mapped_column(Integer, default=1)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IntegrationConsent(Base):
    """A participant's yes to one integration: while it exists, the integration reaches
    their data within its scopes (app/access/consented.py). Withdrawal deletes the row."""

    __tablename__ = "integration_consents"
    __table_args__ = (
        Index("ix_integration_consents_integration_id_consented_at", "integration_id",
              "consented_at"),
        PARTICIPANT_OWNED,
    )  # fmt: skip

    participant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    integration_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("integration_clients.id", ondelete="CASCADE"), primary_key=True
    )
    consented_at: Mapped[datetime] = mapped_column(UTCDateTime)
