"""A participant's own journal: entries, the sync feed, summaries. Participants only."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from app.access import OwnJournal, own_scope
from app.auth.dependencies import ParticipantIdentity
from app.db import SessionDep
from app.errors import (
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PreconditionFailed,
    ServiceUnavailable,
)
from app.journal import reads, service
from app.journal.params import (
    BucketQuery,
    FromDate,
    FromInstant,
    IfMatch,
    TagQuery,
    ToDate,
    ToInstant,
)
from app.journal.schemas import (
    ENTRY_READ_EXAMPLE,
    ChangesPage,
    EntryCreate,
    EntryCreated,
    EntryPage,
    EntryRead,
    EntryUpdate,
    Summary,
)
from app.journal.service import EntryChanged, EntryIdUnavailable
from app.journal.stats import summarize, summary_range
from app.middleware import BodyTooLarge, UnsupportedMediaType
from app.openapi import json_example, problem_responses
from app.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery

router = APIRouter(prefix="/v1/me", tags=["journal"])

EntryId = Annotated[uuid.UUID, Path(description="The entry's id.")]
ENTRY_HEADERS = {
    "ETag": {
        "description": "The entry's version, for `If-Match` on a later edit or delete.",
        "required": True,
        "schema": {"type": "string"},
        "example": '"1"',
    }
}


def _with_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = reads.entry_etag(version)


@router.post(
    "/entries",
    response_model=EntryCreated,
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
            "model": EntryCreated,
            "description": "A retry: this id and content were stored before; nothing changed.",
            "headers": ENTRY_HEADERS,
        },
        **problem_responses(
            NotAuthenticated,
            Forbidden,
            EntryChanged,
            EntryIdUnavailable,
            BodyTooLarge,
            UnsupportedMediaType,
            InvalidInput,
            ServiceUnavailable,
        ),
    },
)
async def create_my_entry(
    body: EntryCreate,
    identity: ParticipantIdentity,
    session: SessionDep,
    response: Response,
) -> EntryCreated:
    """Record how you feel. Send your own `id` (a UUID) to make retries safe: the same id with
    the same content returns the stored entry (`200`). The same id for an entry of yours that
    now differs (edited or deleted since, or created with other content) is `409`
    `entry-changed`, with the current entry; an id someone else's entry has is `409`
    `entry-id-unavailable`. Without an `id` the server makes one (`201`).

    The clinic's alert rules are evaluated with the entry: when it raises an urgent alert
    for your care team, the answer carries `support` (the clinic's contacts; a retry of the
    same id answers the same). You are never shown the alert itself."""
    # The scope from the identity at hand, not as a second dependency: solving that one's
    # tree again cost the busiest route a few per cent of its CPU.
    scope = own_scope(identity)
    stored = await service.create_entry(
        session, scope, body, identity.user.share_notes_with_care_team
    )
    if stored.created:
        response.headers["Location"] = f"/v1/me/entries/{stored.entry['id']}"
    else:
        response.status_code = status.HTTP_200_OK
    _with_etag(response, stored.entry["version"])
    return EntryCreated.model_validate({**stored.entry, "support": stored.support})


@router.get(
    "/entries",
    response_model=EntryPage,
    operation_id="listMyEntries",
    summary="List my entries, newest first",
    responses={
        200: json_example({"items": [ENTRY_READ_EXAMPLE], "next_cursor": "WyJlbnRyaWVzIl0"}),
        **problem_responses(NotAuthenticated, Forbidden, InvalidInput, ServiceUnavailable),
    },
)
async def list_my_entries(
    scope: OwnJournal,
    session: SessionDep,
    recorded_from: FromInstant = None,
    recorded_to: ToInstant = None,
    tag: TagQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> EntryPage:
    """Newest first by `recorded_at`, filtered by time range and tag, a page at a time: pass
    `next_cursor` as `cursor` (with the same filters) until it is `null`."""
    filters = reads.EntryListFilter(recorded_from, recorded_to, tag)
    entries, next_cursor = await reads.list_entries(session, scope, filters, limit, cursor)
    return EntryPage(items=reads.to_entry_reads(entries), next_cursor=next_cursor)


@router.get(
    "/entries/changes",
    response_model=ChangesPage,
    operation_id="listMyEntryChanges",
    summary="Sync feed: what changed since my cursor",
    responses=problem_responses(NotAuthenticated, Forbidden, InvalidInput, ServiceUnavailable),
)
async def list_my_entry_changes(
    scope: OwnJournal,
    session: SessionDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = DEFAULT_LIMIT,
) -> ChangesPage:
    """Every entry created, edited or deleted after `cursor` (from the start without one),
    oldest change first; deleted entries come as tombstones. Always pass the returned
    `next_cursor` next time: even when two devices write at once, no change is skipped.
    While `has_more` is true, ask again at once."""
    entries, next_cursor, has_more = await reads.list_changes(session, scope, cursor, limit)
    return ChangesPage(
        items=[reads.to_entry_change(e) for e in entries],
        next_cursor=next_cursor,
        has_more=has_more,
    )


@router.get(
    "/entries/{entry_id}",
    response_model=EntryRead,
    operation_id="getMyEntry",
    summary="Read one of my entries",
    responses={
        200: {"headers": ENTRY_HEADERS},
        **problem_responses(
            NotAuthenticated, Forbidden, NotFound, InvalidInput, ServiceUnavailable
        ),
    },
)
async def get_my_entry(
    entry_id: EntryId, scope: OwnJournal, session: SessionDep, response: Response
) -> EntryRead:
    """One entry, with its `ETag` for a later conditional edit or delete. Another
    participant's entry is `404`, exactly like a missing one."""
    entry = await reads.get_entry(session, scope, entry_id)
    _with_etag(response, entry["version"])
    return reads.to_entry_read(entry)


@router.patch(
    "/entries/{entry_id}",
    response_model=EntryRead,
    operation_id="updateMyEntry",
    summary="Edit one of my entries",
    responses={
        200: {"headers": ENTRY_HEADERS},
        **problem_responses(
            NotAuthenticated,
            Forbidden,
            NotFound,
            PreconditionFailed,
            BodyTooLarge,
            UnsupportedMediaType,
            InvalidInput,
            ServiceUnavailable,
        ),
    },
)
async def update_my_entry(
    entry_id: EntryId,
    body: EntryUpdate,
    scope: OwnJournal,
    session: SessionDep,
    response: Response,
    if_match: IfMatch = None,
) -> EntryRead:
    """Change the fields sent; `creativity`, `connection` and `note` can be cleared with
    `null`. Send `If-Match` with the `ETag` you read: if another device changed the entry
    since, the answer is `412` with the current `ETag` and the current `entry` in the
    problem (no extra GET needed), and nothing changes. The audit trail records that the
    entry was edited (its id, never its content)."""
    entry = await service.update_entry(session, scope, entry_id, body, if_match)
    _with_etag(response, entry["version"])
    return reads.to_entry_read(entry)


@router.delete(
    "/entries/{entry_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="deleteMyEntry",
    summary="Delete one of my entries",
    responses=problem_responses(
        NotAuthenticated, Forbidden, NotFound, PreconditionFailed, InvalidInput, ServiceUnavailable
    ),
)
async def delete_my_entry(
    entry_id: EntryId,
    scope: OwnJournal,
    session: SessionDep,
    if_match: IfMatch = None,
) -> None:
    """The entry disappears from every read; the sync feed reports it as a tombstone.
    `If-Match` works as for an edit. The audit trail records the deletion by entry id. An
    alert the entry helped raise stays as it was raised, with its evidence (what was
    reported then): your care team still sees it and resolves it."""
    await service.delete_entry(session, scope, entry_id, if_match)


@router.get(
    "/summary",
    response_model=Summary,
    operation_id="getMySummary",
    summary="Descriptive statistics of my entries",
    responses=problem_responses(NotAuthenticated, Forbidden, InvalidInput, ServiceUnavailable),
)
async def get_my_summary(
    scope: OwnJournal,
    session: SessionDep,
    from_date: FromDate = None,
    to_date: ToDate = None,
    bucket: BucketQuery = "day",
) -> Summary:
    """Count, mean, minimum and maximum per dimension over local dates `from`..`to`
    (inclusive; default: the last 30 days in your time zone) and a series of means by day
    or ISO week (`bucket`). `from` after `to` is `422`. Descriptive only: the service gives
    no advice."""
    from_date, to_date = summary_range(from_date, to_date, scope.timezone)
    return await summarize(session, scope, from_date, to_date, bucket)
