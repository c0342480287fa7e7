"""Integration clients, for admins: create (the secret shown once), list, read, change,
rotate the secret. Audited, never with the secret."""

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import Actor, AuditAction, record_event
from app.auth.client_tokens import client_secret_hash, new_client_secret
from app.auth.models import IntegrationClient
from app.db import utcnow
from app.errors import NotFound
from app.integrations.schemas import (
    IntegrationCreate,
    IntegrationCreated,
    IntegrationRead,
    IntegrationSecret,
    IntegrationUpdate,
)
from app.pagination import after_instant, decode_instant_cursor, encode_instant_cursor, fetch_page

_CURSOR_KIND = "integrations"


def to_integration_read(client: IntegrationClient) -> IntegrationRead:
    return IntegrationRead.model_validate(
        {
            "id": client.id,
            "client_id": str(client.id),
            "name": client.name,
            "description": client.description,
            "scopes": client.scopes.split(),
            "is_active": client.is_active,
            "created_at": client.created_at,
            "updated_at": client.updated_at,
        }
    )


def integration_not_found() -> NotFound:
    return NotFound("No such integration.")


async def create_integration(
    session: AsyncSession, actor: Actor, data: IntegrationCreate
) -> IntegrationCreated:
    """A new client and its secret, which is answered this once and kept only as a hash."""
    secret = new_client_secret()
    now = utcnow()
    client = IntegrationClient(
        id=uuid.uuid4(),
        name=data.name,
        description=data.description,
        scopes=" ".join(data.scopes),
        secret_hash=client_secret_hash(secret),
        secret_version=1,
        is_active=True,
        created_at=now,
        updated_at=now,
    )
    session.add(client)
    await session.flush()
    await record_event(session, actor, AuditAction.integration_create, subject_id=client.id)
    read = to_integration_read(client)
    return IntegrationCreated(**read.model_dump(), client_secret=secret)


async def list_integrations(
    session: AsyncSession, limit: int, cursor: str | None
) -> tuple[list[IntegrationRead], str | None]:
    """Oldest first, keyset-paginated on (created_at, id)."""
    statement = select(IntegrationClient).order_by(
        IntegrationClient.created_at, IntegrationClient.id
    )
    if cursor is not None:
        after: tuple[datetime, uuid.UUID] = decode_instant_cursor(_CURSOR_KIND, cursor)
        statement = statement.where(
            after_instant(IntegrationClient.created_at, IntegrationClient.id, *after)
        )
    clients, next_cursor = await fetch_page(
        session,
        statement,
        limit,
        lambda client: encode_instant_cursor(_CURSOR_KIND, client.created_at, client.id),
        objects=True,
    )
    return [to_integration_read(client) for client in clients], next_cursor


async def get_integration(session: AsyncSession, integration_id: uuid.UUID) -> IntegrationClient:
    client = await session.get(IntegrationClient, integration_id)
    if client is None:
        raise integration_not_found()
    return client


async def _locked(session: AsyncSession, integration_id: uuid.UUID) -> IntegrationClient:
    statement = (
        select(IntegrationClient)
        .where(IntegrationClient.id == integration_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    client = (await session.execute(statement)).scalar_one_or_none()
    if client is None:
        raise integration_not_found()
    return client


async def update_integration(
    session: AsyncSession, actor: Actor, integration_id: uuid.UUID, changes: IntegrationUpdate
) -> IntegrationRead:
    """Change what was sent. Deactivating ends the client's tokens on their next request;
    scopes taken away stop working at once for tokens already issued."""
    client = await _locked(session, integration_id)
    sent = changes.model_dump(exclude_unset=True)
    if "scopes" in sent:
        sent["scopes"] = " ".join(sent["scopes"])
    differing = {field: value for field, value in sent.items() if getattr(client, field) != value}
    if differing:
        for field, value in differing.items():
            setattr(client, field, value)
        client.updated_at = utcnow()
        await session.flush()
        await record_event(session, actor, AuditAction.integration_update, subject_id=client.id)
    return to_integration_read(client)


async def rotate_secret(
    session: AsyncSession, actor: Actor, integration_id: uuid.UUID
) -> IntegrationSecret:
    """A new secret: the old one, and every token issued with it, stop working at once."""
    client = await _locked(session, integration_id)
    secret = new_client_secret()
    client.secret_hash = client_secret_hash(secret)
    client.secret_version += 1
    client.updated_at = utcnow()
    await session.flush()
    await record_event(session, actor, AuditAction.integration_secret_rotate, subject_id=client.id)
    return IntegrationSecret(client_id=str(client.id), client_secret=secret)
