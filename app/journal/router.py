import math
import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Request, Response, status
from fastapi.responses import StreamingResponse

from app.audit.service import AuditAction, record_event
from app.auth.dependencies import ParticipantIdentity
from app.config import SettingsDep
from app.db import SessionDep, utcnow
from app.errors import problem_responses
from app.journal import access_log, export, service
from app.journal.dependencies import ErasableParticipant
from app.journal.erasure import erase_participant
from app.journal.schemas import (
    ACCESS_LOG_EXAMPLE,
    ENTRY_READ_EXAMPLE,
    AccessLogPage,
    ChangesPage,
    EntryCreate,
    EntryPage,
    EntryRead,
    EntryUpdate,
    ExportFormat,
    JournalExport,
    MyClinician,
    Summary,
)
from app.journal.stats import Bucket, summarize, summary_range
from app.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery
from app.schemas import IsoDate, Rfc3339DateTime
from app.streaming import StreamSlotDep, TimedStreamingResponse

router = APIRouter(prefix="/v1/me", tags=["journal"])

IfMatch = Annotated[
    str | None,
    Header(
        max_length=200,
        description=(
            'The `ETag` you read, quoted as sent (`"3"`), or `*` for any version. Without '
            "it the change applies unconditionally; with a stale one the answer is `412` "
            "with the current `ETag` header and the current `entry` in the problem, and "
            "nothing changes. A malformed value (an unquoted `3`) is `422`."
        ),
        examples=['"3"'],
        # Documented, checked by the service (whose 422 shows the right form).
        json_schema_extra={
            "pattern": r'^(\*|[ \t]*(W/)?"[!#-~]*"[ \t]*(,[ \t]*(W/)?"[!#-~]*"[ \t]*)*)$'
        },
    ),
]
TagQuery = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=32,
        pattern=r"^[a-z0-9-]+$",
        description="Only entries with this tag.",
        examples=["walk"],
    ),
]
BucketQuery = Annotated[
    Bucket, Query(description="`day`: one point per local date; `week`: per ISO week.")
]
FromInstant = Annotated[
    Rfc3339DateTime | None,
    Query(alias="from", description="Entries recorded at or after this instant (with offset)."),
]
ToInstant = Annotated[
    Rfc3339DateTime | None,
    Query(alias="to", description="Entries recorded before this instant (with offset)."),
]
FromDate = Annotated[
    IsoDate | None,
    Query(alias="from", description="First local date (inclusive); default: 29 days before `to`."),
]
ToDate = Annotated[
    IsoDate | None,
    Query(alias="to", description="Last local date (inclusive); default: today, in your zone."),
]
EntryId = Annotated[uuid.UUID, Path(description="The entry's id.")]
ENTRY_HEADERS = {
    "ETag": {
        "description": "The entry's version, for `If-Match` on a later edit or delete.",
        "required": True,
        "schema": {"type": "string"},
        "example": '"1"',
    }
}


def _example(value: object) -> dict[str, object]:
    return {"content": {"application/json": {"example": value}}}


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
                "Location": {
                    "description": "The new entry's URL.",
                    "required": True,
                    "schema": {"type": "string"},
                    "example": f"/v1/me/entries/{ENTRY_READ_EXAMPLE['id']}",
                },
            },
        },
        200: {
            "model": EntryRead,
            "description": "A retry: this id and content were stored before; nothing changed.",
            "headers": ENTRY_HEADERS,
        },
        **problem_responses(401, 403, 409, 413, 415, 422, 503),
    },
)
async def create_my_entry(
    body: EntryCreate, identity: ParticipantIdentity, session: SessionDep, response: Response
) -> EntryRead:
    """Record how you feel. Send your own `id` (a UUID) to make retries safe: the same id with
    the same content returns the stored entry (`200`); with other content, or an id already
    used by someone else, it is `409`. Without an `id` the server makes one (`201`)."""
    entry, created = await service.create_entry(session, identity.user.id, body)
    if created:
        response.headers["Location"] = f"/v1/me/entries/{entry.id}"
    else:
        response.status_code = status.HTTP_200_OK
    _with_etag(response, entry.version)
    return service.to_entry_read(entry)


@router.get(
    "/entries",
    response_model=EntryPage,
    operation_id="listMyEntries",
    summary="List my entries, newest first",
    responses={
        200: _example({"items": [ENTRY_READ_EXAMPLE], "next_cursor": "WyJlbnRyaWVzIl0"}),
        **problem_responses(401, 403, 422, 503),
    },
)
async def list_my_entries(
    identity: ParticipantIdentity,
    session: SessionDep,
    recorded_from: FromInstant = None,
    recorded_to: ToInstant = None,
    tag: TagQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> EntryPage:
    """Newest first by `recorded_at`, filtered by time range and tag, a page at a time: pass
    `next_cursor` as `cursor` (with the same filters) until it is `null`."""
    filters = service.EntryListFilter(recorded_from, recorded_to, tag)
    entries, next_cursor = await service.list_entries(
        session, identity.user.id, filters, limit, cursor
    )
    return EntryPage(items=service.to_entry_reads(entries), next_cursor=next_cursor)


@router.get(
    "/entries/changes",
    response_model=ChangesPage,
    operation_id="listMyEntryChanges",
    summary="Sync feed: what changed since my cursor",
    responses=problem_responses(401, 403, 422, 503),
)
async def list_my_entry_changes(
    identity: ParticipantIdentity,
    session: SessionDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
) -> ChangesPage:
    """Every entry created, edited or deleted after `cursor` (from the start without one),
    oldest change first; deleted entries come as tombstones. Always pass the returned
    `next_cursor` next time: even when two devices write at once, no change is skipped.
    While `has_more` is true, ask again at once."""
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
    responses={200: {"headers": ENTRY_HEADERS}, **problem_responses(401, 403, 404, 422, 503)},
)
async def get_my_entry(
    entry_id: EntryId, identity: ParticipantIdentity, session: SessionDep, response: Response
) -> EntryRead:
    """One entry, with its `ETag` for a later conditional edit or delete. Another
    participant's entry is `404`, exactly like a missing one."""
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
        **problem_responses(401, 403, 404, 412, 413, 415, 422, 503),
    },
)
async def update_my_entry(
    entry_id: EntryId,
    body: EntryUpdate,
    identity: ParticipantIdentity,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> EntryRead:
    """Change the fields sent; `creativity`, `connection` and `note` can be cleared with
    `null`. Send `If-Match` with the `ETag` you read: if another device changed the entry
    since, the answer is `412` with the current `ETag` and the current `entry` in the
    problem (no extra GET needed), and nothing changes. The audit trail records that the
    entry was edited (its id, never its content)."""
    entry = await service.update_entry(session, identity, entry_id, body, if_match)
    _with_etag(response, entry.version)
    return service.to_entry_read(entry)


@router.delete(
    "/entries/{entry_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="deleteMyEntry",
    summary="Delete one of my entries",
    responses=problem_responses(401, 403, 404, 412, 422, 503),
)
async def delete_my_entry(
    entry_id: EntryId,
    identity: ParticipantIdentity,
    session: SessionDep,
    if_match: IfMatch = None,
) -> None:
    """The entry disappears from every read; the sync feed reports it as a tombstone.
    `If-Match` works as for an edit. The audit trail records the deletion by entry id."""
    await service.delete_entry(session, identity, entry_id, if_match)


@router.get(
    "/summary",
    response_model=Summary,
    operation_id="getMySummary",
    summary="Descriptive statistics of my entries",
    responses=problem_responses(401, 403, 422, 503),
)
async def get_my_summary(
    identity: ParticipantIdentity,
    session: SessionDep,
    from_date: FromDate = None,
    to_date: ToDate = None,
    bucket: BucketQuery = "day",
) -> Summary:
    """Count, mean, minimum and maximum per dimension over local dates `from`..`to`
    (inclusive; default: the last 30 days in your time zone) and a series of means by day
    or ISO week (`bucket`). `from` after `to` is `422`. Descriptive only: the service gives
    no advice."""
    from_date, to_date = summary_range(from_date, to_date, identity.user.timezone)
    return await summarize(session, identity.user.id, from_date, to_date, bucket)


me_router = APIRouter(prefix="/v1/me", tags=["me"])

EXPORT_CSV_EXAMPLE = (
    "id,recorded_at,utc_offset_minutes,local_date,mood,focus,anxiety,creativity,connection,"
    "note,tags,version,created_at,updated_at\r\n"
    f"{ENTRY_READ_EXAMPLE['id']},2026-11-20T07:30:00Z,60,2026-11-20,7,6,3,5,8,"
    "Slept well; a long walk at lunch.,walk;good-sleep,1,2026-11-20T07:31:12Z,"
    "2026-11-20T07:31:12Z\r\n"
)


@me_router.get(
    "/clinician",
    response_model=MyClinician,
    operation_id="getMyClinician",
    summary="Who my clinician is",
    responses=problem_responses(401, 403, 503),
)
async def get_my_clinician(identity: ParticipantIdentity, session: SessionDep) -> MyClinician:
    """The clinician assigned to you now (display name and since when), or `null`."""
    return await access_log.get_my_clinician(session, identity.user.id)


@me_router.get(
    "/access-log",
    response_model=AccessLogPage,
    operation_id="listMyAccessLog",
    summary="Who has viewed my data",
    responses={
        200: _example({"items": [ACCESS_LOG_EXAMPLE], "next_cursor": "WyJhY2Nlc3MiXQ"}),
        **problem_responses(401, 403, 422, 503),
    },
)
async def list_my_access_log(
    identity: ParticipantIdentity,
    session: SessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> AccessLogPage:
    """Every read of your entries, summaries or profile by a clinician (by display name), and
    every change to your account by an administrator; newest first."""
    items, next_cursor = await access_log.list_access_log(session, identity.user.id, limit, cursor)
    return AccessLogPage(items=items, next_cursor=next_cursor)


@me_router.get(
    "/export",
    operation_id="exportMyData",
    summary="Download everything held about me",
    response_class=StreamingResponse,
    responses={
        200: {
            "model": JournalExport,
            "description": "A JSON document, or CSV with one row per entry (an attachment).",
            "headers": {
                "Content-Disposition": {
                    "description": "`attachment`, with a dated file name.",
                    "required": True,
                    "schema": {"type": "string"},
                    "example": 'attachment; filename="wellbeing-journal-20261121.json"',
                }
            },
            "content": {
                "text/csv": {"schema": {"type": "string"}, "example": EXPORT_CSV_EXAMPLE},
            },
        },
        **problem_responses(401, 403, 422, 429, 503),
        429: {
            **problem_responses(429)[429],
            "description": "Too many exports of this account are running at once.",
        },
    },
)
async def export_my_data(
    request: Request,
    identity: ParticipantIdentity,
    session: SessionDep,
    settings: SettingsDep,
    slot: StreamSlotDep,
    format: Annotated[
        ExportFormat, Query(description="`json` (everything) or `csv` (the entries).")
    ] = "json",
) -> StreamingResponse:
    """Your profile, every entry, your assignment history and access log as one JSON
    document (`format=json`), or your entries as CSV (`format=csv`, `tags` joined with
    `;`). Streamed, so it works however long the journal; the export is audited.

    At most `JOURNAL_EXPORT_MAX_CONCURRENT_PER_ACCOUNT` (default 2) exports of one account
    run at once (counted per server process); another is `429` with `Retry-After`. A
    download that accepts no data for `JOURNAL_STREAM_SEND_TIMEOUT_SECONDS` (default 30)
    is stopped and its connection closed: the body then ends early, never complete."""
    slot.take(
        ("export", identity.user.id),
        limit=settings.export_max_concurrent_per_account,
        retry_after_seconds=math.ceil(settings.stream_send_timeout_seconds),
    )
    await record_event(session, identity.actor, AuditAction.export, participant_id=identity.user.id)
    sessionmaker = request.app.state.sessionmaker
    if format == "csv":
        body = export.stream_csv_export(sessionmaker, identity.user.id)
        media_type = "text/csv; charset=utf-8"
    else:
        body = export.stream_json_export(sessionmaker, identity.user.id)
        media_type = "application/json"
    filename = f"wellbeing-journal-{utcnow():%Y%m%d}.{format}"
    return TimedStreamingResponse(
        body,
        send_timeout=settings.stream_send_timeout_seconds,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@me_router.delete(
    "",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="deleteMyAccount",
    summary="Erase my account and journal",
    responses=problem_responses(401, 403, 503),
)
async def delete_my_account(identity: ErasableParticipant, session: SessionDep) -> None:
    """Ends every session, deletes your entries and profile data, and closes your clinician
    assignment. The audit trail keeps its records under a pseudonymous id. Repeating the
    request with the same token after success answers `204` again. A write from another
    of your devices that races the erasure stores nothing and gets `401`."""
    if identity is not None:
        await erase_participant(session, identity)
