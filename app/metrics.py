"""Prometheus metrics at `GET /metrics`, on with `JOURNAL_METRICS_ENABLED=true`.

Request counts and latency histograms by method, route template and status, and the
database pool's gauges, in the Prometheus text exposition format (version 0.0.4), written
by hand: no dependency, and a pure ASGI middleware, because this runs on every request.

The figures are per process: with several processes (or `--workers`), scrape each one.
"""

import time
from bisect import bisect_left
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

METRICS_PATH = "/metrics"
CONTENT_TYPE = b"text/plain; version=0.0.4; charset=utf-8"
# Seconds. The API answers in milliseconds; the long tail (exports, Argon2) in seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Any other method is counted as "other", so that clients cannot invent label values.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# A request that matched no route is counted under one label, never under its raw path.
UNMATCHED = "unmatched"


class _Series:
    """One histogram series: per-bucket counts (the last one is +Inf), count and sum."""

    __slots__ = ("buckets", "count", "total")

    def __init__(self) -> None:
        self.buckets = [0] * (len(LATENCY_BUCKETS) + 1)
        self.count = 0
        self.total = 0.0


class Registry:
    """The request figures of this process, keyed by (method, route template, status)."""

    def __init__(self) -> None:
        self.series: dict[tuple[str, str, int], _Series] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        series = self.series.get(key)
        if series is None:
            series = self.series[key] = _Series()
        series.buckets[bisect_left(LATENCY_BUCKETS, seconds)] += 1
        series.count += 1
        series.total += seconds

    def render(self, pool: Any) -> str:
        lines = [
            "# HELP journal_http_requests_total HTTP requests answered.",
            "# TYPE journal_http_requests_total counter",
        ]
        ordered = sorted(self.series.items())
        for (method, route, status), series in ordered:
            labels = _labels(method=method, route=route, status=str(status))
            lines.append(f"journal_http_requests_total{{{labels}}} {series.count}")
        lines += [
            "# HELP journal_http_request_duration_seconds Time to answer an HTTP request.",
            "# TYPE journal_http_request_duration_seconds histogram",
        ]
        for (method, route, status), series in ordered:
            labels = _labels(method=method, route=route, status=str(status))
            cumulative = 0
            for bound, count in zip((*LATENCY_BUCKETS, None), series.buckets, strict=True):
                cumulative += count
                le = "+Inf" if bound is None else repr(bound)
                lines.append(
                    f'journal_http_request_duration_seconds_bucket{{{labels},le="{le}"}} '
                    f"{cumulative}"
                )
            lines.append(f"journal_http_request_duration_seconds_sum{{{labels}}} {series.total!r}")
            lines.append(f"journal_http_request_duration_seconds_count{{{labels}}} {series.count}")
        lines += _pool_lines(pool)
        return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(**labels: str) -> str:
    return ",".join(f'{name}="{_escape(value)}"' for name, value in labels.items())


def _pool_lines(pool: Any) -> list[str]:
    """Gauges of a SQLAlchemy QueuePool; nothing for pools that keep no such figures."""
    if not all(hasattr(pool, name) for name in ("size", "checkedout", "checkedin", "overflow")):
        return []
    gauges = (
        ("size", "Connections the pool keeps open (pool_size).", pool.size()),
        ("checked_out", "Connections in use by requests now.", pool.checkedout()),
        ("checked_in", "Open connections idle in the pool now.", pool.checkedin()),
        # SQLAlchemy counts overflow from -pool_size; only connections past the size count here.
        ("overflow", "Connections open beyond the pool size now.", max(0, pool.overflow())),
    )
    lines = []
    for name, help_text, value in gauges:
        lines += [
            f"# HELP journal_db_pool_{name} {help_text}",
            f"# TYPE journal_db_pool_{name} gauge",
            f"journal_db_pool_{name} {int(value)}",
        ]
    return lines


def _route_template(scope: Scope) -> str:
    """The matched route as the OpenAPI shows it (`/v1/me/entries/{entry_id}`)."""
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return template if isinstance(template, str) else UNMATCHED


class MetricsMiddleware:
    """Times every HTTP request and serves `GET /metrics`. Added only when enabled, so that
    `/metrics` is an ordinary 404 otherwise."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.registry = Registry()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"] == METRICS_PATH and scope["method"] in ("GET", "HEAD"):
            await self._expose(scope, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            method = scope["method"] if scope["method"] in KNOWN_METHODS else "other"
            route = _route_template(scope)
            self.registry.observe(method, route, status, time.perf_counter() - started)

    async def _expose(self, scope: Scope, send: Send) -> None:
        engine = getattr(scope["app"].state, "engine", None)
        pool = engine.sync_engine.pool if engine is not None else None
        body = self.registry.render(pool).encode()
        headers = [
            (b"content-type", CONTENT_TYPE),
            (b"content-length", str(len(body)).encode()),
            (b"cache-control", b"no-store"),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send(
            {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
        )
