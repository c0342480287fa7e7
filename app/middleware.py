"""Pure ASGI middleware: request ids, access logs, security headers, body limits, 500s.

Pure ASGI on purpose: a single `@app.middleware("http")` cost 62% of throughput here.
"""

import json
import logging
import re
import time
import traceback
import uuid
from contextvars import ContextVar
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import Documented, problem_response, unexpected_error_response
from app.request_log import REQUEST_LOG, access_logger

REQUEST_ID_HEADER = b"x-request-id"
CLIENT_REQUEST_ID_HEADER = b"x-client-request-id"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# The client's own `X-Request-ID` for the request being served (if it sent a safe one): the
# audit trail keeps it beside the server-made id. A context variable, so that every audit
# write of the request gets it without each caller passing it along.
CLIENT_REQUEST_ID: ContextVar[str | None] = ContextVar("client_request_id", default=None)
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
SECURITY_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]


class BodyTooLarge(Documented, StarletteHTTPException):
    """Raised from `receive` once a body passes the limit.

    An HTTP exception on purpose: FastAPI re-raises those from body parsing, while it turns
    any other exception there into a `400`."""

    status, code, title = 413, "payload-too-large", "Request Entity Too Large"
    example = "The request body is larger than {max_body_bytes} bytes."

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than {limit} bytes.")


class UnsupportedMediaType(Documented, StarletteHTTPException):
    """Raised from `receive` when a route reads a body that is not JSON."""

    status, code, title = 415, "unsupported-media-type", "Unsupported Media Type"
    example = "Send the request body as application/json."

    def __init__(self) -> None:
        super().__init__(415, "Send the request body as application/json.")


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


def _is_json(content_type: bytes | None) -> bool:
    if content_type is None:
        return False
    media_type = content_type.split(b";", 1)[0].strip().lower()
    return media_type == b"application/json" or media_type.endswith(b"+json")


def _client_request_id(scope: Scope) -> str | None:
    """The client's `X-Request-ID` when it is short and plain (letters, digits, `._:-`),
    else nothing: an unsafe value is dropped, not repaired."""
    sent = _header(scope, REQUEST_ID_HEADER)
    if sent is None:
        return None
    value = sent.decode("latin-1")
    return value if _SAFE_REQUEST_ID.match(value) else None


class RequestContextMiddleware:
    """Gives every request an id, logs it, guards its body and hardens its response."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body_bytes: int,
        form_paths: frozenset[str],
        form_prefixes: tuple[str, ...] = (),
    ):
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.form_paths = form_paths
        self.form_prefixes = form_prefixes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        # Always ours: a client cannot choose the id the logs and the audit trail key on.
        request_id = uuid.uuid4().hex
        client_id = _client_request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        state: dict[str, Any] = {"status": 500, "started": False}
        extra_headers = [*SECURITY_HEADERS, (REQUEST_ID_HEADER, request_id.encode())]
        if client_id is not None:
            extra_headers.append((CLIENT_REQUEST_ID_HEADER, client_id.encode()))
        context_token = CLIENT_REQUEST_ID.set(client_id)

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                state["started"] = True
                headers = list(message.get("headers", []))
                if not any(key.lower() == b"cache-control" for key, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers + extra_headers
            await send(message)

        try:
            if self._declares_too_large(scope):
                raise BodyTooLarge(self.max_body_bytes)
            await self.app(scope, self._guarded(scope, receive), send_wrapper)
        except (BodyTooLarge, UnsupportedMediaType) as exc:
            # Normally rendered by the app's handler; here when raised before or around it.
            if not state["started"]:
                response = problem_response(exc.status_code, exc.detail, code=exc.code)
                await response(scope, receive, send_wrapper)
        except Exception as exc:
            if state["started"]:
                raise
            await unexpected_error_response(exc)(scope, receive, send_wrapper)
        finally:
            CLIENT_REQUEST_ID.reset(context_token)
            self._log(scope, request_id, client_id, state["status"], started)

    def _declares_too_large(self, scope: Scope) -> bool:
        length = _header(scope, b"content-length")
        return length is not None and length.isdigit() and int(length) > self.max_body_bytes

    def _guarded(self, scope: Scope, receive: Receive) -> Receive:
        """`receive`, refusing a body past the size limit or (outside the form routes and the
        console's pages) not JSON. Checked when a route reads the body, so that an unknown
        route is still 404."""
        received = 0
        limit = self.max_body_bytes
        check_media_type = (
            scope["method"] in _BODY_METHODS
            and scope["path"] not in self.form_paths
            and not scope["path"].startswith(self.form_prefixes)
            and not _is_json(_header(scope, b"content-type"))
        )

        async def guarded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                if check_media_type and (chunk or message.get("more_body", False)):
                    raise UnsupportedMediaType
                received += len(chunk)
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        return guarded_receive

    @staticmethod
    def _log(
        scope: Scope, request_id: str, client_id: str | None, status: int, started: float
    ) -> None:
        if not access_logger.isEnabledFor(logging.INFO):
            return
        route = scope.get("route")
        REQUEST_LOG.write(
            request_id,
            client_id,
            scope["method"],
            # The route template, never the raw query string (it may carry a cursor).
            getattr(route, "path", None) or "unmatched",
            status,
            round((time.perf_counter() - started) * 1000, 2),
        )


class JsonLogFormatter(logging.Formatter):
    """One JSON object per line; only the whitelisted `extra` fields are emitted."""

    FIELDS = (
        "request_id",
        "client_request_id",
        "method",
        "route",
        "status",
        "duration_ms",
        "event",
    )

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in self.FIELDS:
            if field in record.__dict__:
                payload[field] = record.__dict__[field]
        if record.exc_info and record.exc_info[0] is not None:
            # Type and frames only: an exception's message can quote user input.
            exc_type, _, tb = record.exc_info
            payload["exception"] = exc_type.__name__
            payload["traceback"] = "".join(traceback.format_tb(tb))
        return json.dumps(payload, default=str)


# Libraries whose DEBUG messages quote SQL parameters (e-mails, notes, password hashes):
# kept at WARNING whatever the level, so that JOURNAL_LOG_LEVEL=DEBUG cannot leak them.
PARAMETER_ECHOING_LOGGERS = ("aiosqlite", "asyncpg", "sqlalchemy.engine", "sqlalchemy.pool")


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLogFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    REQUEST_LOG.attach(handler)
    root.setLevel(level.upper())
    for name in PARAMETER_ECHOING_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
