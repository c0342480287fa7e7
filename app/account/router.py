"""The signed-in account's own API (`/v1/me…`): profile, password, clinician, access log,
security notices, export and erasure."""

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from fastapi.responses import StreamingResponse

from app.access import OwnJournal
from app.account import export, service
from app.account.dependencies import ErasableParticipant
from app.account.erasure import erase_account
from app.account.schemas import ExportFormat, JournalExport, MeRead, MeUpdate, MyClinician
from app.audit import access_log, notices
from app.audit.schemas import (
    ACCESS_LOG_EXAMPLE,
    SECURITY_NOTICE_EXAMPLE,
    AccessLogPage,
    SecurityNoticePage,
)
from app.auth import credentials
from app.auth.dependencies import ClientDep, CurrentIdentity, ParticipantIdentity
from app.auth.passwords import HashingBusy
from app.auth.schemas import PasswordChange
from app.care import backups
from app.care.schemas import CareTeam
from app.clinician import notes
from app.clinician.schemas import NOTE_EXAMPLE, ClinicianNotePage
from app.config import SettingsDep
from app.db import SessionDep
from app.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    ServiceUnavailable,
    TooManyRequests,
)
from app.fhir.schemas import EXPORT_EXAMPLE as FHIR_EXPORT_EXAMPLE
from app.fhir.terminology import FHIR_JSON
from app.journal.schemas import ENTRY_READ_EXAMPLE
from app.middleware import BodyTooLarge, UnsupportedMediaType
from app.openapi import json_example, problem_responses
from app.pagination import DEFAULT_LIMIT, CursorQuery, LimitQuery
from app.streaming import StreamSlotDep, TimedStreamingResponse, TooManyStreams

router = APIRouter(prefix="/v1/me", tags=["me"])
# The password is the account's, but integrators look for it among the sign-in operations.
password_router = APIRouter(prefix="/v1/me", tags=["auth"])


@router.get(
    "",
    response_model=MeRead,
    operation_id="getMe",
    summary="Read my account",
    responses=problem_responses(NotAuthenticated, Forbidden, ServiceUnavailable),
)
async def get_me(identity: CurrentIdentity, session: SessionDep) -> MeRead:
    """The signed-in account: e-mail, role, display name and time zone. A client can use it
    to learn its role after signing in.

    `unseen_security_notices` counts the security notices (account recovery, care-team
    changes) recorded since the participant last listed them: a client calls this after
    every sign-in and, when it is not 0, shows `GET /v1/me/security-notices` first."""
    return await service.get_me(session, identity)


@router.patch(
    "",
    response_model=MeRead,
    operation_id="updateMe",
    summary="Change my display name or time zone",
    responses=problem_responses(
        NotAuthenticated,
        Forbidden,
        BodyTooLarge,
        UnsupportedMediaType,
        InvalidInput,
        ServiceUnavailable,
    ),
)
async def update_me(changes: MeUpdate, identity: CurrentIdentity, session: SessionDep) -> MeRead:
    """Change the display name or the IANA time zone (e.g. `Europe/Berlin`); fields left out
    or `null` stay as they are. A participant's time zone sets the default days of their
    summaries; each entry keeps the offset it was recorded with. A participant's
    `share_notes_with_care_team` sets whether the notes of entries written from now on are
    shared with the care team (entries already written keep theirs)."""
    return await service.update_me(session, identity, changes)


@router.get(
    "/security-notices",
    response_model=SecurityNoticePage,
    operation_id="listMySecurityNotices",
    summary="What changed who can reach my journal",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {"items": [SECURITY_NOTICE_EXAMPLE], "next_cursor": None}
                }
            }
        },
        **problem_responses(NotAuthenticated, Forbidden, InvalidInput, ServiceUnavailable),
    },
)
async def list_my_security_notices(
    identity: ParticipantIdentity,
    session: SessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> SecurityNoticePage:
    """Events that changed who can reach your journal, newest first: an administrator
    started account recovery (issued a recovery code for your account after it had been in
    use), a new password was set with a recovery code, or your care team changed (a
    clinician was assigned or their assignment ended). They also appear in
    `GET /v1/me/access-log`, marked with `security_notice`.

    If you did not expect one, contact your clinic. Reading the first page marks every
    notice on it as seen: `unseen_security_notices` on `GET /v1/me` drops accordingly."""
    return await notices.list_security_notices(
        session, identity.user.id, limit=limit, cursor=cursor
    )


EXPORT_CSV_EXAMPLE = (
    "id,recorded_at,utc_offset_minutes,local_date,mood,focus,anxiety,creativity,connection,"
    "note,note_shared,tags,version,created_at,updated_at\r\n"
    f"{ENTRY_READ_EXAMPLE['id']},2026-11-20T07:30:00Z,60,2026-11-20,7,6,3,5,8,"
    "Slept well; a long walk at lunch.,false,walk;good-sleep,1,2026-11-20T07:31:12Z,"
    "2026-11-20T07:31:12Z\r\n"
)


@router.get(
    "/clinician",
    response_model=MyClinician,
    operation_id="getMyClinician",
    summary="Who my clinician is",
    responses=problem_responses(NotAuthenticated, Forbidden, ServiceUnavailable),
)
async def get_my_clinician(identity: ParticipantIdentity, session: SessionDep) -> MyClinician:
    """The clinician assigned to you now (display name and since when), or `null`."""
    return await service.get_my_clinician(session, identity)


@router.get(
    "/care-team",
    response_model=CareTeam,
    operation_id="getMyCareTeam",
    summary="Who my care team is",
    responses=problem_responses(NotAuthenticated, Forbidden, ServiceUnavailable),
)
async def get_my_care_team(identity: ParticipantIdentity, session: SessionDep) -> CareTeam:
    """Your primary clinician (who reviews your journal) and your backup clinician (who
    steps in only when an alert about you is not acknowledged in time, until it is
    resolved), by display name; `null` where there is none."""
    return await backups.care_team(session, identity.user.id)


@router.get(
    "/access-log",
    response_model=AccessLogPage,
    operation_id="listMyAccessLog",
    summary="Who has viewed my data",
    responses={
        200: json_example({"items": [ACCESS_LOG_EXAMPLE], "next_cursor": "WyJhY2Nlc3MiXQ"}),
        **problem_responses(NotAuthenticated, Forbidden, InvalidInput, ServiceUnavailable),
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


@router.get(
    "/care-notes",
    response_model=ClinicianNotePage,
    operation_id="listMyCareNotes",
    summary="Notes my care team wrote for me",
    responses={
        200: json_example({"items": [NOTE_EXAMPLE], "next_cursor": None}),
        **problem_responses(NotAuthenticated, Forbidden, InvalidInput, ServiceUnavailable),
    },
)
async def list_my_care_notes(
    scope: OwnJournal,
    session: SessionDep,
    limit: LimitQuery = DEFAULT_LIMIT,
    cursor: CursorQuery = None,
) -> ClinicianNotePage:
    """The notes your care team wrote for you to read (`visibility: participant`), newest
    first; a corrected note stays, marked `superseded_by` the note that corrects it."""
    items, next_cursor = await notes.list_notes(session, scope, limit, cursor, shared_only=True)
    return ClinicianNotePage(items=items, next_cursor=next_cursor)


@router.get(
    "/export",
    operation_id="exportMyData",
    summary="Download everything held about me",
    response_class=StreamingResponse,
    responses={
        200: {
            "model": JournalExport,
            "description": "A JSON document, CSV with one row per entry, or a FHIR Bundle "
            "(an attachment).",
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
                FHIR_JSON: {"schema": {"type": "object"}, "example": FHIR_EXPORT_EXAMPLE},
            },
        },
        **problem_responses(
            NotAuthenticated, Forbidden, InvalidInput, TooManyStreams, ServiceUnavailable
        ),
    },
)
async def export_my_data(
    request: Request,
    scope: OwnJournal,
    session: SessionDep,
    settings: SettingsDep,
    slot: StreamSlotDep,
    format: Annotated[
        ExportFormat,
        Query(
            description="`json` (everything), `csv` (the entries), `assessments-csv`, "
            "`experience-reports-csv` or `fhir` (a FHIR R4 `collection` Bundle)."
        ),
    ] = "json",
) -> StreamingResponse:
    """Your profile, every entry, your assignment history, access log, care notes,
    assessments and experience reports as one JSON document (`format=json`); or as CSV your
    entries (`format=csv`, `tags` joined with `;`), your assessments
    (`format=assessments-csv`, `answers` and `flags` joined with `;`) or your experience
    reports (`format=experience-reports-csv`); or your entries and assessments as a FHIR R4
    `collection` Bundle (`format=fhir`, `application/fhir+json`: the resources of
    `GET /fhir/r4/Patient/{id}/$everything`). Streamed, so it works however long the
    journal; the export is audited.

    At most `JOURNAL_EXPORT_MAX_CONCURRENT_PER_ACCOUNT` (default 2) exports of one account
    run at once (counted per server process); another is `429` with `Retry-After`. A
    download that accepts no data for `JOURNAL_STREAM_SEND_TIMEOUT_SECONDS` (default 30)
    is stopped and its connection closed: the body then ends early, never complete."""
    download = await export.start_export(
        session, scope, settings, slot, request.app.state.sessionmaker, format
    )
    return TimedStreamingResponse(
        download.body,
        send_timeout=settings.stream_send_timeout_seconds,
        media_type=download.media_type,
        headers={"Content-Disposition": f'attachment; filename="{download.filename}"'},
    )


@router.delete(
    "",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="deleteMyAccount",
    summary="Erase my account and journal",
    responses=problem_responses(NotAuthenticated, Forbidden, ServiceUnavailable),
)
async def delete_my_account(identity: ErasableParticipant, session: SessionDep) -> None:
    """Ends every session, deletes your entries and profile data, and closes your clinician
    assignment. The audit trail keeps its records under a pseudonymous id. Repeating the
    request with the same token after success answers `204` again. A write from another
    of your devices that races the erasure stores nothing and gets `401`."""
    if identity is not None:
        await erase_account(session, identity)


@password_router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="changeMyPassword",
    summary="Change my password",
    responses=problem_responses(
        NotAuthenticated,
        Forbidden,
        Conflict,
        BodyTooLarge,
        UnsupportedMediaType,
        InvalidInput,
        TooManyRequests,
        ServiceUnavailable,
        HashingBusy,
    ),
)
async def change_my_password(
    body: PasswordChange,
    identity: CurrentIdentity,
    session: SessionDep,
    settings: SettingsDep,
    client: ClientDep,
) -> None:
    """Every other session of the account ends; this one stays signed in.

    A wrong `current_password` is `422` and counts as a failed sign-in: after too many,
    `429`. A weak `new_password` is `422`. `409` when the password was changed by another
    request at the same moment."""
    await credentials.change_password(
        session, settings, client, identity, body.current_password, body.new_password
    )
