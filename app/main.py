"""The application factory."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.routing import APIRoute

from app import __version__
from app.admin.router import router as admin_router
from app.auth.router import router as auth_router
from app.clinician.router import router as clinician_router
from app.config import Settings, get_settings
from app.cors import ProblemCORSMiddleware
from app.db import create_engine, create_sessionmaker
from app.errors import register_error_handlers
from app.journal.router import me_router as journal_me_router
from app.journal.router import router as journal_router
from app.middleware import RequestContextMiddleware, configure_logging
from app.operations.router import router as operations_router
from app.users.router import router as users_router

DESCRIPTION = """\
A clinician-supervised wellbeing journal. Participants record how they feel (mood, focus,
anxiety, and optionally creativity and social connection); only the clinician currently
assigned to them can review those entries; admins run accounts and assignments and never
see journal content.

**The service records and describes; it never issues dosing recommendations.** No
endpoint, field or summary suggests a substance, an amount, a schedule or a change to one.
Summaries are descriptive statistics of what the participant reported.
"""

TAGS = [
    {"name": "auth", "description": "Sign-in, token refresh, activation and sign-out."},
    {"name": "me", "description": "The signed-in account, whatever its role."},
    {"name": "journal", "description": "A participant's own journal entries."},
    {"name": "clinician", "description": "Review of the participants assigned to a clinician."},
    {"name": "admin", "description": "Accounts, assignments and the audit trail."},
    {"name": "operations", "description": "Liveness and readiness probes."},
]

# Routes whose body is a form rather than JSON (the OAuth2 password grant).
FORM_PATHS = frozenset({"/v1/auth/token"})


def _operation_id(route: APIRoute) -> str:
    head, *rest = route.name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings)
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        try:
            yield
        finally:
            await engine.dispose()

    app = FastAPI(
        title="Wellbeing Journal API",
        version=__version__,
        description=DESCRIPTION,
        openapi_tags=TAGS,
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
    )
    app.state.settings = settings
    register_error_handlers(app)
    for router in (
        operations_router,
        auth_router,
        users_router,
        journal_router,
        journal_me_router,
        clinician_router,
        admin_router,
    ):
        app.include_router(router)
    if settings.cors_origins:
        app.add_middleware(
            ProblemCORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "X-Request-ID"],
            expose_headers=["ETag", "Location", "Retry-After", "X-Request-ID"],
        )
    app.add_middleware(
        RequestContextMiddleware, max_body_bytes=settings.max_body_bytes, form_paths=FORM_PATHS
    )
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
