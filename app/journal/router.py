import uuid
from datetime import date, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from pydantic import AwareDatetime

from app.audit.service import AuditAction, record_event
from app.db import SessionDep, utcnow
from app.dependencies import ParticipantIdentity
from app.errors import InvalidInput, problem_responses
from app.journal import access_log, export, service
from app.journal.dependencies import ErasableParticipant
from app.journal.erasure import erase_participant
from app.journal.schemas import (
    AccessLogItem,
    ChangesPage,
    EntryCreate,
    EntryRead,
    EntryUpdate,
    ExportFormat,
    MyClinician,
    Summary,
)
from app.journal.stats import summarize
from app.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery, Page

router = APIRouter(prefix="/v1/me", tags=["journal"])

IfMatch = Annotated[
    str | None,
    Header(
        max_length=200,
        description="The entry's `ETag`; a stale one gets `412` and nothing changes.",
    ),
]
TagQuery = Annotated[str | None, Query(min_length=1, max_length=32, pattern=r"^[a-z0-9-]+$")]
FromInstant = Annotated[
    AwareDatetime | None,
    Query(alias="from", description="Entries recorded at or after this instant."),
]
ToInstant = Annotated[
    AwareDatetime | None, Query(alias="to", description="Entries recorded before this instant.")
]
ENTRY_HEADERS = {"ETag": {"description": "The entry's version.", "schema": {"type": "string"}}}


def _with_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = service.entry_etag(version)


@router.post(
    "/entries",
    response_model=EntryRead,
    status_code=status.HTTP_201_CREATED,
    operation_id="createMyEntry",
    summary="Record an entry",
    responses={
        201: {
            "description": "Created.",
            "headers": {
                **ENTRY_HEADERS,
                "Location": {"description": "The new entry.", "schema": {"type": "string"}},
            },
        },
        200: {
            "model": EntryRead,
            "description": "A retry: this id and content were stored before.",
            "headers": ENTRY_HEADERS,
        },
        **problem_responses(401, 403, 409, 413, 415, 422),
    },
)
async def create_my_entry(
    body: EntryCreate, identity: ParticipantIdentity, session: SessionDep, response: Response
) -> EntryRead:
    """Record how you feel. Send your own `id` (a UUID) to make retries safe: the same id with
    the same content returns the stored entry (`200`); with other content it is `409`."""
    entry, created = await service.create_entry(session, identity.user.id, body)
    if created:
        response.headers["Location"] = f"/v1/me/entries/{entry.id}"
    else:
        response.status_code = status.HTTP_200_OK
    _with_etag(response, entry.version)
    return service.to_entry_read(entry)


@router.get(
    "/entries",
    response_model=Page[EntryRead],
    operation_id="listMyEntries",
    summary="List my entries, newest first",
    responses=problem_responses(401, 403, 422),
)
async def list_my_entries(
    identity: ParticipantIdentity,
    session: SessionDep,
    recorded_from: FromInstant = None,
    recorded_to: ToInstant = None,
    tag: TagQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Page[EntryRead]:
    """Newest first by `recorded_at`, filtered by time range and tag, a page at a time."""
    filters = service.EntryListFilter(recorded_from, recorded_to, tag)
    entries, next_cursor = await service.list_entries(
        session, identity.user.id, filters, limit, cursor
    )
    return Page(items=[service.to_entry_read(e) for e in entries], next_cursor=next_cursor)


@router.get(
    "/entries/changes",
    response_model=ChangesPage,
    operation_id="listMyEntryChanges",
    summary="Sync feed: what changed since my cursor",
    responses=problem_responses(401, 403, 422),
)
async def list_my_entry_changes(
    identity: ParticipantIdentity,
    session: SessionDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
) -> ChangesPage:
    """Every entry created, edited or deleted after `cursor` (from the start without one),
    oldest change first; deleted entries come as tombstones. Always pass the returned
    `next_cursor` next time: even when two devices write at once, no change is skipped."""
    entries, next_cursor, has_more = await service.list_changes(
        session, identity.user.id, cursor, limit
    )
    return ChangesPage(
        items=[service.to_entry_change(e) for e in entries],
        next_cursor=next_cursor,
        has_more=has_more,
    )


@router.get(
    "/entries/{entry_id}",
    response_model=EntryRead,
    operation_id="getMyEntry",
    summary="Read one of my entries",
    responses={200: {"headers": ENTRY_HEADERS}, **problem_responses(401, 403, 404, 422)},
)
async def get_my_entry(
    entry_id: uuid.UUID, identity: ParticipantIdentity, session: SessionDep, response: Response
) -> EntryRead:
    """One entry, with its `ETag` for a later conditional edit or delete."""
    entry = await service.get_entry(session, identity.user.id, entry_id)
    _with_etag(response, entry.version)
    return service.to_entry_read(entry)


@router.patch(
    "/entries/{entry_id}",
    response_model=EntryRead,
    operation_id="updateMyEntry",
    summary="Edit one of my entries",
    responses={
        200: {"headers": ENTRY_HEADERS},
        **problem_responses(401, 403, 404, 412, 413, 415, 422),
    },
)
async def update_my_entry(
    entry_id: uuid.UUID,
    body: EntryUpdate,
    identity: ParticipantIdentity,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> EntryRead:
    """Change the fields sent. Send `If-Match` with the `ETag` you read: if another device
    changed the entry since, the answer is `412` and nothing changes."""
    entry = await service.update_entry(session, identity.user.id, entry_id, body, if_match)
    _with_etag(response, entry.version)
    return service.to_entry_read(entry)


@router.delete(
    "/entries/{entry_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteMyEntry",
    summary="Delete one of my entries",
    responses=problem_responses(401, 403, 404, 412, 422),
)
async def delete_my_entry(
    entry_id: uuid.UUID,
    identity: ParticipantIdentity,
    session: SessionDep,
    if_match: IfMatch = None,
) -> None:
    """The entry disappears from every read; the sync feed reports it as a tombstone."""
    await service.delete_entry(session, identity.user.id, entry_id, if_match)


@router.get(
    "/summary",
    response_model=Summary,
    operation_id="getMySummary",
    summary="Descriptive statistics of my entries",
    responses=problem_responses(401, 403, 422),
)
async def get_my_summary(
    identity: ParticipantIdentity,
    session: SessionDep,
    from_date: Annotated[date | None, Query(alias="from")] = None,
    to_date: Annotated[date | None, Query(alias="to")] = None,
) -> Summary:
    """Count, mean, minimum and maximum per dimension over local dates `from`..`to`
    (inclusive; default: the last 30 days in your time zone) and a daily series of means.
    Descriptive only: the service gives no advice."""
    today = utcnow().astimezone(ZoneInfo(identity.user.timezone)).date()
    to_date = to_date or today
    from_date = from_date or to_date - timedelta(days=29)
    if from_date > to_date:
        raise InvalidInput("query.from", "`from` must not be after `to`.", "bad-range")
    return await summarize(session, identity.user.id, from_date, to_date)


me_router = APIRouter(prefix="/v1/me", tags=["me"])


@me_router.get(
    "/clinician",
    response_model=MyClinician,
    operation_id="getMyClinician",
    summary="Who my clinician is",
    responses=problem_responses(401, 403),
)
async def get_my_clinician(identity: ParticipantIdentity, session: SessionDep) -> MyClinician:
    """The clinician assigned to you now (display name and since when), or `null`."""
    return await access_log.get_my_clinician(session, identity.user.id)


@me_router.get(
    "/access-log",
    response_model=Page[AccessLogItem],
    operation_id="listMyAccessLog",
    summary="Who has viewed my data",
    responses=problem_responses(401, 403, 422),
)
async def list_my_access_log(
    identity: ParticipantIdentity,
    session: SessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> Page[AccessLogItem]:
    """Every read of your entries, summaries or profile by a clinician (by display name), and
    every change to your account by an administrator; newest first."""
    items, next_cursor = await access_log.list_access_log(session, identity.user.id, limit, cursor)
    return Page(items=items, next_cursor=next_cursor)


@me_router.get(
    "/export",
    operation_id="exportMyData",
    summary="Download everything held about me",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "A JSON document, or CSV with one row per entry.",
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/csv": {"schema": {"type": "string"}},
            },
        },
        **problem_responses(401, 403, 422),
    },
)
async def export_my_data(
    request: Request,
    identity: ParticipantIdentity,
    session: SessionDep,
    format: Annotated[ExportFormat, Query()] = "json",
) -> StreamingResponse:
    """Your profile, every entry, your assignment history and access log as one JSON
    document (`format=json`), or your entries as CSV (`format=csv`). Streamed."""
    await record_event(session, identity.actor, AuditAction.export, participant_id=identity.user.id)
    sessionmaker = request.app.state.sessionmaker
    if format == "csv":
        body = export.stream_csv_export(sessionmaker, identity.user.id)
        media_type = "text/csv; charset=utf-8"
    else:
        body = export.stream_json_export(sessionmaker, identity.user.id)
        media_type = "application/json"
    filename = f"wellbeing-journal-{utcnow():%Y%m%d}.{format}"
    return StreamingResponse(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@me_router.delete(
    "",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="deleteMyAccount",
    summary="Erase my account and journal",
    responses=problem_responses(401, 403),
)
async def delete_my_account(identity: ErasableParticipant, session: SessionDep) -> None:
    """Ends every session, deletes your entries and profile data, and closes your clinician
    assignment. The audit trail keeps its records under a pseudonymous id. Repeating the
    request with the same token after success answers `204` again."""
    if identity is not None:
        await erase_participant(session, identity)
