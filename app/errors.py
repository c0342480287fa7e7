"""Typed errors raised by services, and their single rendering as RFC 9457 problem+json."""

import logging
import sys
from http import HTTPStatus
from typing import Any, ClassVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

logger = logging.getLogger("app.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://wellbeing-journal.example/problems/"


class FieldError(BaseModel):
    field: str = Field(description="Dotted location of the bad value, e.g. `body.mood`.")
    message: str
    code: str


class Problem(BaseModel):
    """An RFC 9457 problem document."""

    type: str = Field(examples=[TYPE_BASE + "not-found"])
    title: str = Field(examples=["Not found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["No such entry."])
    errors: list[FieldError] | None = None


class Documented:
    """What the OpenAPI document shows of an error class (app/openapi.py): its status, the
    stable code its `type` ends with, its title, and an example `detail` (else the title)."""

    status: ClassVar[int]
    code: ClassVar[str]
    title: ClassVar[str]
    example: ClassVar[str | None] = None


class AppError(Documented, Exception):
    """Base of every error a service raises; rendered once, by `app_error_handler`."""

    status = 400
    code = "bad-request"
    title = "Bad request"
    # Set when the transaction must be committed although the request fails
    # (a failed sign-in is counted and audited).
    keep_changes: bool = False

    def __init__(
        self,
        detail: str | None = None,
        *,
        headers: dict[str, str] | None = None,
        extensions: dict[str, Any] | None = None,
    ):
        self.detail = detail or self.title
        self.headers = headers or {}
        # RFC 9457 extension members: what a client needs to act without another request.
        self.extensions = extensions or {}
        super().__init__(self.detail)


class NotAuthenticated(AppError):
    status, code, title = 401, "not-authenticated", "Not authenticated"
    example = "The session has ended; sign in again."

    def __init__(self, detail: str | None = None, *, keep_changes: bool = False):
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})
        self.keep_changes = keep_changes


class Forbidden(AppError):
    status, code, title = 403, "forbidden", "Forbidden"
    example = "This operation is for participant accounts only."


class NotFound(AppError):
    status, code, title = 404, "not-found", "Not found"
    example = "No such entry."


class Conflict(AppError):
    status, code, title = 409, "conflict", "Conflict"
    example = "The password was changed at the same time; sign in again."


class PreconditionFailed(AppError):
    status, code, title = 412, "precondition-failed", "Precondition failed"
    example = 'The entry has changed since the version you sent; it is now "4".'


class InvalidInput(AppError):
    """A rule that the request schema cannot express (e.g. a weak password)."""

    status, code, title = 422, "validation-error", "Invalid input"
    example = "The request is not valid; see `errors`."

    def __init__(self, field: str, message: str, code: str = "invalid"):
        super().__init__(message)
        self.errors = [FieldError(field=field, message=message, code=code)]


class TooManyRequests(AppError):
    status, code, title = 429, "too-many-requests", "Too many requests"
    example = "Too many failed attempts; try again later."
    keep_changes = True

    def __init__(self, retry_after_seconds: int):
        super().__init__(
            "Too many failed attempts; try again later.",
            headers={"Retry-After": str(max(1, retry_after_seconds))},
        )


class ServiceUnavailable(AppError):
    status, code, title = 503, "service-unavailable", "Service unavailable"
    example = "The database is unavailable; try again shortly."

    def __init__(self, detail: str = "The database is unavailable; try again shortly."):
        super().__init__(detail, headers={"Retry-After": "5"})


def problem_response(
    status: int,
    detail: str,
    *,
    code: str | None = None,
    title: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> JSONResponse:
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body = Problem(
        type=TYPE_BASE + (code or phrase.lower().replace(" ", "-")),
        title=title or phrase,
        status=status,
        detail=detail,
        errors=errors,
    )
    return JSONResponse(
        {**body.model_dump(exclude_none=True), **(extensions or {})},
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def _field_name(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location)


def _validation_errors(exc: RequestValidationError) -> list[FieldError]:
    # Only location, message and type: pydantic's `input` may hold a password or a note.
    return [
        FieldError(field=_field_name(tuple(err["loc"])), message=err["msg"], code=err["type"])
        for err in exc.errors()
    ]


async def app_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)  # noqa: S101 - registered for AppError only
    return problem_response(
        exc.status,
        exc.detail,
        code=exc.code,
        title=exc.title,
        errors=getattr(exc, "errors", None),
        headers=exc.headers,
        extensions=exc.extensions,
    )


async def validation_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101
    return problem_response(
        422,
        "The request is not valid; see `errors`.",
        code="validation-error",
        title="Invalid input",
        errors=_validation_errors(exc),
    )


def _unreadable_json(exc: StarletteHTTPException) -> FieldError | None:
    """What makes a body unreadable JSON, behind FastAPI's `400` "error parsing the body".

    FastAPI turns only `JSONDecodeError` into a 422; a body that is not UTF-8, a number of
    more digits than Python converts to an int (4,300: its guard against quadratic parsing)
    or nesting past the recursion limit raise other errors and got a bare 400. To a client
    each is malformed JSON like any other, and that is 422. The JSON never parsed, so the
    field cannot be named: the error is the body's."""
    cause = exc.__cause__
    if exc.status_code != 400 or cause is None:
        return None
    if isinstance(cause, UnicodeDecodeError):
        message = "Invalid UTF-8"
    elif type(cause) is ValueError and "digits" in str(cause):
        message = f"A number has more than {sys.get_int_max_str_digits()} digits"
    elif isinstance(cause, RecursionError):
        message = "Arrays or objects are nested too deeply"
    else:
        return None
    return FieldError(field="body", message=message, code="json_invalid")


async def http_error_handler(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101
    unreadable = _unreadable_json(exc)
    if unreadable is not None:
        return problem_response(
            422,
            "The request is not valid; see `errors`.",
            code="validation-error",
            title="Invalid input",
            errors=[unreadable],
        )
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    headers = dict(exc.headers) if exc.headers else None
    return problem_response(
        exc.status_code, detail, code=getattr(exc, "code", None), headers=headers
    )


def unexpected_error_response(exc: BaseException) -> JSONResponse:
    """The response for an exception no handler knew: 503 when the database is away, else 500."""
    if is_database_unavailable(exc):
        logger.warning("database unavailable: %s", type(exc).__name__)
        unavailable = ServiceUnavailable()
        return problem_response(
            503, unavailable.detail, code=unavailable.code, headers=unavailable.headers
        )
    logger.error("unhandled error: %s", type(exc).__name__, exc_info=exc)
    return problem_response(500, "An unexpected error occurred.", code="internal-error")


# SQLSTATEs that mean "the server cannot serve now", not "the statement is wrong": class 08
# (connection exception), shutdown / crash / starting up / idle-session kill, too many clients.
_UNAVAILABLE_SQLSTATE_CLASSES = ("08",)
_UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "57P05", "53300"})
# Driver errors without a SQLSTATE that mean the connection is gone.
_UNAVAILABLE_ERROR_NAMES = frozenset({"InterfaceError", "ConnectionDoesNotExistError"})


def _unavailable_sqlstate(error: BaseException) -> bool:
    sqlstate = getattr(error, "sqlstate", None)
    return isinstance(sqlstate, str) and (
        sqlstate in _UNAVAILABLE_SQLSTATES or sqlstate.startswith(_UNAVAILABLE_SQLSTATE_CLASSES)
    )


def _error_chain(exc: BaseException) -> list[BaseException]:
    """The error, the driver error SQLAlchemy wraps, and what caused either (bounded)."""
    chain: list[BaseException] = []
    pending: list[BaseException | None] = [exc]
    while pending and len(chain) < 8:
        error = pending.pop(0)
        if error is None or any(error is seen for seen in chain):
            continue
        chain.append(error)
        pending += [getattr(error, "orig", None), error.__cause__, error.__context__]
    return chain


def is_database_unavailable(exc: BaseException) -> bool:
    """True for errors that mean the database cannot be reached, not that the query is wrong.

    SQLAlchemy wraps the driver's error (`.orig`), and its asyncpg adapter wraps asyncpg's
    (`__cause__`), so the whole chain is looked at: a refused or reset connection, a pool or
    connect timeout, a server shutting down or starting up, a lost connection, SQLite's
    "database is locked" after the busy timeout."""
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    for error in _error_chain(exc):
        # OSError covers ConnectionError and TimeoutError (asyncpg's connect/command timeouts).
        if isinstance(error, PoolTimeout | OSError) or _unavailable_sqlstate(error):
            return True
        if isinstance(error, DBAPIError) and error.connection_invalidated:
            return True
        if type(error).__name__ in _UNAVAILABLE_ERROR_NAMES:
            return True
        if "database is locked" in str(error):
            return True
    return False


def register_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, app_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
