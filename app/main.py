"""The application factory."""

import asyncio
import gc
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel

from app import __version__
from app.account.router import password_router
from app.account.router import router as account_router
from app.admin.router import router as admin_router
from app.alerts.inbox_router import router as alert_inbox_router
from app.alerts.router import router as alerts_router
from app.assessments.clinician_router import router as assessments_clinician_router
from app.assessments.router import router as assessments_router
from app.auth.router import router as auth_router
from app.clinician.router import router as clinician_router
from app.config import Settings, get_settings
from app.console.site import create_console
from app.cors import ProblemCORSMiddleware
from app.db import create_engine, create_sessionmaker
from app.docs_pages import OAUTH2_REDIRECT_URL, add_docs_pages
from app.errors import register_error_handlers
from app.experience.router import clinician_router as experience_clinician_router
from app.experience.router import router as experience_router
from app.fhir.router import router as fhir_router
from app.instruments.router import router as instruments_router
from app.integrations.api_router import router as integration_api_router
from app.integrations.delivery_router import router as deliveries_router
from app.integrations.me_router import router as my_integrations_router
from app.integrations.router import router as integrations_router
from app.integrations.webhook_docs import router as webhook_docs_router
from app.integrations.webhook_router import router as webhooks_router
from app.journal.router import router as journal_router
from app.middleware import RequestContextMiddleware, configure_logging
from app.openapi import describe_limits, drop_json_beside_problems
from app.operations.router import router as operations_router
from app.query_params import reject_unknown_query_parameters
from app.schema_gate import SchemaGate
from app.support.router import router as support_router
from app.sweeper.runner import relay_forever, sweep_forever

DESCRIPTION = """\
A clinician-supervised wellbeing journal. Participants record how they feel (mood, focus,
anxiety, and optionally creativity and social connection); only the clinician currently
assigned to them can review those entries; admins run accounts and assignments and never
see journal content.

**The service records and describes; it never issues dosing recommendations.** No
endpoint, field or summary suggests a substance, an amount, a schedule or a change to one.
Summaries are descriptive statistics of what the participant reported.

Conventions shared by every operation:

- **Authentication**: sign in at `POST /v1/auth/token` (OAuth2 password grant) and send
  `Authorization: Bearer <access token>`; renew with `POST /v1/auth/refresh` (refresh tokens
  rotate). A missing, expired or ended session is `401` with `WWW-Authenticate: Bearer`.
- **Integrations** (other systems) get their own tokens: `POST /v1/auth/token` with
  `grant_type=client_credentials` (see `docs/integrating.md`); they reach only participants
  who consent to them, under `/v1/integration/…`.
- **Errors** are `application/problem+json` (RFC 9457) with `type`, `title`, `status`,
  `detail`, and an `errors` list naming each bad field on `422`. `429` and `503` carry
  `Retry-After`; `503` means the database is unreachable for now.
- **Lists** take `limit` (1 to 200, default 50) and an opaque `cursor`, and answer
  `{items, next_cursor}`; `next_cursor` is `null` on the last page.
- **Times** are RFC 3339 with an offset (dates `YYYY-MM-DD`), in the years 1900 to 2999;
  stored and returned in UTC.
- Every response carries an `X-Request-ID` made by the server, also recorded in the audit
  trail; quote it when reporting a problem. A safe `X-Request-ID` you send (up to 128
  letters, digits and `._:-`) comes back as `X-Client-Request-ID` and is kept beside it.
"""

TAGS = [
    {
        "name": "auth",
        "description": "Sign-in, token refresh, activation, sign-out and password change.",
    },
    {
        "name": "me",
        "description": (
            "The signed-in account, whatever its role; for a participant also their clinician, "
            "who has viewed their data, the export and erasure."
        ),
    },
    {
        "name": "journal",
        "description": (
            "A participant's own entries: idempotent creates, conditional edits and deletes, "
            "the sync feed and descriptive summaries. Participants only."
        ),
    },
    {
        "name": "clinician",
        "description": (
            "Review of the participants assigned to the calling clinician now; any other "
            "participant is `404`. Clinicians only."
        ),
    },
    {
        "name": "admin",
        "description": (
            "Accounts, assignments and the audit trail; never journal content. Admins only."
        ),
    },
    {
        "name": "instruments",
        "description": (
            "The validated questionnaires (PHQ-9, PHQ-8, GAD-7, WHO-5): published texts, "
            "scoring and descriptive bands. Any signed-in account."
        ),
    },
    {
        "name": "integrations",
        "description": (
            "Other systems' reads of the participants who consent to them, with an OAuth2 "
            "client credentials token (`OAuth2ClientCredentials`), each behind its scope."
        ),
    },
    {
        "name": "fhir",
        "description": (
            "FHIR R4 (`application/fhir+json`) at `/fhir/r4`: a participant's data as "
            "`Patient/{id}/$everything`, the instruments' Questionnaires, the ratings' "
            "CodeSystem and the capability statement."
        ),
    },
    {"name": "operations", "description": "Liveness and readiness probes; no authentication."},
]


def _app_models() -> dict[str, type[BaseModel]]:
    """The pydantic models of this app, by class name (the `title` of their schemas)."""
    found: dict[str, type[BaseModel]] = {}
    pending: list[type[BaseModel]] = [BaseModel]
    while pending:
        for model in pending.pop().__subclasses__():
            pending.append(model)
            if model.__module__.startswith("app."):
                found[model.__name__] = model
    return found


def restore_example_nulls(app: FastAPI, document: dict[str, Any]) -> None:
    """Put the examples back as written: FastAPI drops every `null` from the document it
    generates, examples included (a tombstone's `"entry": null`, `"next_cursor": null`;
    fastapi/fastapi#5559)."""
    models = _app_models()
    for component in document.get("components", {}).get("schemas", {}).values():
        model = models.get(component.get("title", ""))
        extra = model.model_config.get("json_schema_extra") if model else None
        if isinstance(extra, dict) and "examples" in component and "examples" in extra:
            component["examples"] = extra["examples"]
    for route in iter_route_contexts(app.routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        operations = document["paths"][route.path_format]
        for method in route.methods or ():
            responses = operations[method.lower()]["responses"]
            for status, declared in route.responses.items():
                for media_type, content in declared.get("content", {}).items():
                    if "example" in content:
                        media = responses[str(status)]["content"][media_type]
                        media["example"] = content["example"]


class JournalAPI(FastAPI):
    def openapi(self) -> dict[str, Any]:
        """FastAPI's document, with what two of its bugs take out put back (nothing else)."""
        cached = self.openapi_schema
        document = super().openapi()
        if document is not cached:  # built now (FastAPI rebuilds it when routes change)
            restore_example_nulls(self, document)
            drop_json_beside_problems(document)
        return document


# Routes whose body is a form rather than JSON (the OAuth2 password grant; the console).
FORM_PATHS = frozenset({"/v1/auth/token"})
CONSOLE_PATH = "/console"


def _operation_id(route: APIRoute) -> str:
    head, *rest = route.name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _lifespan(settings: Settings) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        # What start-up made (modules, schemas, compiled validators) lives as long as the
        # process: frozen, the collector stops walking it. A full collection took 40 ms
        # instead of 2 ms, a pause that hit whichever request caused it.
        gc.freeze()
        sweepers = []
        if settings.sweep_interval_seconds > 0:
            sessionmaker, interval = app.state.sessionmaker, settings.sweep_interval_seconds
            sweepers = [
                asyncio.create_task(
                    sweep_forever(sessionmaker, interval, settings.sweep_batch_size, settings)
                ),
                asyncio.create_task(
                    relay_forever(sessionmaker, settings.webhook_relay_interval_seconds, settings)
                ),
            ]
        try:
            yield
        finally:
            for task in sweepers:
                task.cancel()
            # Let them finish unwinding (their sessions close) before the engine goes: a
            # task cancelled mid-query could otherwise finish on a loop already closed.
            await asyncio.gather(*sweepers, return_exceptions=True)
            gc.unfreeze()
            await engine.dispose()

    return lifespan


ROUTERS = (
    operations_router,
    auth_router,
    password_router,
    account_router,
    journal_router,
    clinician_router,
    admin_router,
    instruments_router,
    support_router,
    alerts_router,
    alert_inbox_router,
    assessments_router,
    assessments_clinician_router,
    experience_router,
    experience_clinician_router,
    integrations_router,
    webhooks_router,
    deliveries_router,
    my_integrations_router,
    integration_api_router,
    fhir_router,
)


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    """Pure ASGI middleware only (`@app.middleware("http")` cost 62% of throughput); the
    last added runs first."""
    app.add_middleware(SchemaGate)  # innermost: its 503 still gets the request id and log
    if settings.cors_origins:
        app.add_middleware(
            ProblemCORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "X-Request-ID"],
            expose_headers=[
                "ETag",
                "Location",
                "Retry-After",
                "X-Request-ID",
                "X-Client-Request-ID",
            ],
        )
    app.add_middleware(
        RequestContextMiddleware,
        max_body_bytes=settings.max_body_bytes,
        form_paths=FORM_PATHS,
        form_prefixes=(CONSOLE_PATH + "/",),
    )
    if settings.metrics_enabled:
        # Outermost, so that it times the whole request and sees the final status.
        from app.metrics import MetricsMiddleware

        app.add_middleware(MetricsMiddleware)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = JournalAPI(
        title="Wellbeing Journal API",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=_lifespan(settings),
        generate_unique_id_function=_operation_id,
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=OAUTH2_REDIRECT_URL,
        dependencies=[Depends(reject_unknown_query_parameters)],
    )
    app.state.settings = settings
    describe_limits(settings)
    add_docs_pages(app)
    register_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    app.webhooks.include_router(webhook_docs_router)
    app.mount(CONSOLE_PATH, create_console(app.state), name="console")
    _add_middleware(app, settings)
    return app


def __getattr__(name: str) -> FastAPI:
    # `uvicorn app.main:app` builds the app on first access, not at import.
    if name == "app":
        settings = get_settings()
        configure_logging(settings.log_level)
        application = create_app(settings)
        globals()["app"] = application
        return application
    raise AttributeError(name)
