"""The console as an app of its own, mounted at `/console` by the application factory: its
own error pages (HTML, never a trace), headers and static files, kept out of the OpenAPI."""

import logging
from http import HTTPStatus

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from starlette.datastructures import State
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.console import admin_router, auth_router, clinician_router
from app.console.pages import STATIC, render
from app.console.sessions import SignedOut
from app.errors import AppError, TooManyRequests, is_database_unavailable

logger = logging.getLogger("app.console")

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# The request-context middleware adds `nosniff` and `no-referrer` to every response.
CONSOLE_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"cache-control", b"no-store"),
]


class ConsoleGuard:
    """Pure ASGI: the console's headers on every response. An unexpected error reaches here
    after its 500 page was sent (starlette's error middleware re-raises it once the page is
    out); it was logged by `unexpected_error_page`, so it stops here."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [
                    (key, value)
                    for key, value in message.get("headers", [])
                    if key.lower() not in (b"cache-control", b"content-security-policy")
                ]
                message["headers"] = headers + CONSOLE_HEADERS
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            if not started:
                raise


def _error_page(
    request: Request, status: int, detail: str, headers: dict[str, str] | None = None
) -> Response:
    title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    context = {"status": status, "title": title, "detail": detail}
    return render(request, "error.html", context, status_code=status, headers=headers)


async def signed_out_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SignedOut)  # noqa: S101 - registered for SignedOut only
    target = "/console/sign-in?ended=1" if exc.ended else "/console/sign-in"
    return RedirectResponse(target, status_code=303)


async def app_error_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)  # noqa: S101 - registered for AppError only
    detail = exc.detail
    if isinstance(exc, TooManyRequests):
        wait = exc.headers.get("Retry-After", "60")
        detail = f"Too many attempts. Please wait {wait} seconds, then try again."
    headers = {k: v for k, v in exc.headers.items() if k.lower() == "retry-after"}
    return _error_page(request, exc.status, detail, headers)


async def invalid_form_page(request: Request, exc: Exception) -> Response:
    errors = exc.errors() if isinstance(exc, RequestValidationError | ValidationError) else []
    if errors and all(error["loc"][:1] == ("path",) for error in errors):
        return _error_page(request, 404, "No such page.")
    # The messages only: pydantic's `input` may hold a note or a password.
    fields = "; ".join(
        f"{error['loc'][-1]}: {error['msg']}" if error["loc"] else error["msg"] for error in errors
    )
    return _error_page(request, 422, f"Please check the form. {fields}")


async def http_error_page(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101
    detail = "No such page." if exc.status_code == 404 else HTTPStatus(exc.status_code).phrase
    return _error_page(request, exc.status_code, detail)


async def unexpected_error_page(request: Request, exc: Exception) -> Response:
    if is_database_unavailable(exc):
        logger.warning("database unavailable: %s", type(exc).__name__)
        detail = "The service cannot reach its database just now; try again shortly."
        return _error_page(request, 503, detail, {"Retry-After": "5"})
    logger.error("unhandled console error: %s", type(exc).__name__, exc_info=exc)
    return _error_page(
        request,
        500,
        "Something went wrong on our side. Please try again; if it persists, quote the "
        "request id below.",
    )


def create_console(state: State) -> ASGIApp:
    """The console, sharing the service's state (engine, settings) with the API."""
    console = FastAPI(
        openapi_url=None, docs_url=None, redoc_url=None, swagger_ui_oauth2_redirect_url=None
    )
    console.state = state
    console.add_exception_handler(SignedOut, signed_out_page)
    console.add_exception_handler(AppError, app_error_page)
    console.add_exception_handler(RequestValidationError, invalid_form_page)
    console.add_exception_handler(ValidationError, invalid_form_page)
    console.add_exception_handler(StarletteHTTPException, http_error_page)
    console.add_exception_handler(Exception, unexpected_error_page)
    console.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in (auth_router.router, clinician_router.router, admin_router.router):
        console.include_router(router)
    return ConsoleGuard(console)
