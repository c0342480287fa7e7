"""Every route answers `503` until the database schema is at this version's migration head.

Without it, a missing or unmigrated PostgreSQL database turned the first query of a request
into a `500` (`UndefinedTable`, `InvalidCatalogName`) while `/readyz` rightly said `503`.
Once the schema is seen at head the gate stays open for the life of the process, so a
serving process pays one attribute check per request."""

import asyncio
import time

from starlette.types import ASGIApp, Receive, Scope, Send

from app.errors import ServiceUnavailable, is_database_unavailable, problem_response
from app.operations.service import schema_problem

# The probes answer for themselves (`/readyz` says why it is not ready).
UNGATED_PATHS = frozenset({"/healthz", "/readyz"})
RECHECK_SECONDS = 2.0


class SchemaGate:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.open = False
        self._problem: str | None = None
        self._checked_at = float("-inf")
        self._lock = asyncio.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.open or scope["type"] != "http" or scope["path"] in UNGATED_PATHS:
            await self.app(scope, receive, send)
            return
        problem = await self._current_problem(scope)
        if problem is None:
            await self.app(scope, receive, send)
            return
        unavailable = ServiceUnavailable(problem)
        response = problem_response(
            503, unavailable.detail, code=unavailable.code, headers=unavailable.headers
        )
        await response(scope, receive, send)

    async def _current_problem(self, scope: Scope) -> str | None:
        async with self._lock:  # one check at a time, at most every RECHECK_SECONDS
            if time.monotonic() - self._checked_at >= RECHECK_SECONDS:
                try:
                    self._problem = await schema_problem(scope["app"].state.engine, strict=True)
                except Exception as exc:
                    if not is_database_unavailable(exc):
                        raise
                    # An outage is not a schema verdict: the request itself answers 503 (or
                    # succeeds on a fresh connection), and the next request checks again.
                    return None
                self._checked_at = time.monotonic()
                self.open = self._problem is None
        return self._problem
