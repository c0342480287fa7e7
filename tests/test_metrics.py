"""`GET /metrics`: off by default; when on, Prometheus text with request figures by route
template and status, and the database pool's gauges."""

import re
import uuid

import httpx

from app.metrics import LATENCY_BUCKETS
from tests.conftest import Account, ServeApp

SAMPLE = re.compile(r'^([a-z_]+)(?:\{((?:[a-z_]+="(?:[^"\\]|\\.)*",?)*)\})? (\S+)$')
LABEL = re.compile(r'([a-z_]+)="((?:[^"\\]|\\.)*)"')


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse_exposition(text: str) -> Samples:
    """Every sample of a Prometheus text document; fails on a line that is not valid."""
    samples: Samples = {}
    assert text.endswith("\n")
    for line in text.splitlines():
        if line.startswith(("# HELP ", "# TYPE ")):
            continue
        match = SAMPLE.match(line)
        assert match, f"not an exposition line: {line!r}"
        name, labels, value = match.groups()
        samples[(name, frozenset(LABEL.findall(labels or "")))] = float(value)
    return samples


def sample(samples: Samples, name: str, **labels: str) -> float:
    return samples[(name, frozenset(labels.items()))]


def entry(**overrides: object) -> dict[str, object]:
    return {"recorded_at": "2026-11-20T08:30:00+01:00", "mood": 7, "focus": 6, "anxiety": 3}


async def make_traffic(client: httpx.AsyncClient, sam: Account) -> None:
    assert (await client.post("/v1/me/entries", json=entry(), headers=sam.headers)).is_success
    missing = f"/v1/me/entries/{uuid.uuid4()}"
    assert (await client.get(missing, headers=sam.headers)).status_code == 404
    bad_cursor = "/v1/me/entries?cursor=private-cursor-value"
    assert (await client.get(bad_cursor, headers=sam.headers)).status_code == 422
    assert (await client.get("/no/such/path-with-a-secret")).status_code == 404
    assert (await client.get("/healthz")).status_code == 200


async def test_metrics_are_off_by_default(client: httpx.AsyncClient) -> None:
    response = await client.get("/metrics")

    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_metrics_count_requests_by_route_template_and_status(serve_app: ServeApp) -> None:
    async with serve_app(metrics_enabled=True) as served:
        sam = await served.accounts.make()
        await make_traffic(served.client, sam)
        response = await served.client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    samples = parse_exposition(response.text)
    total = "journal_http_requests_total"
    assert sample(samples, total, method="POST", route="/v1/me/entries", status="201") == 1
    assert sample(samples, total, method="GET", route="/v1/me/entries/{entry_id}", status="404")
    assert sample(samples, total, method="GET", route="unmatched", status="404") == 1
    assert sample(samples, total, method="GET", route="/healthz", status="200") == 1
    # Raw paths, ids and query strings never become label values.
    assert "secret" not in response.text
    assert "private-cursor-value" not in response.text


async def test_latency_histograms_are_cumulative_and_end_at_the_count(
    serve_app: ServeApp,
) -> None:
    async with serve_app(metrics_enabled=True) as served:
        sam = await served.accounts.make()
        for _ in range(3):
            await make_traffic(served.client, sam)
        samples = parse_exposition((await served.client.get("/metrics")).text)

    labels = {"method": "POST", "route": "/v1/me/entries", "status": "201"}
    name = "journal_http_request_duration_seconds"
    buckets = [
        sample(samples, f"{name}_bucket", **labels, le=repr(bound)) for bound in LATENCY_BUCKETS
    ]
    infinite = sample(samples, f"{name}_bucket", **labels, le="+Inf")
    assert buckets == sorted(buckets)
    assert infinite == sample(samples, f"{name}_count", **labels) == 3
    assert 0 < sample(samples, f"{name}_sum", **labels) < 30


async def test_pool_gauges_describe_the_database_pool(serve_app: ServeApp) -> None:
    async with serve_app(metrics_enabled=True) as served:
        await served.client.get("/readyz")
        samples = parse_exposition((await served.client.get("/metrics")).text)
        expected_size = served.app.state.engine.sync_engine.pool.size()

    assert sample(samples, "journal_db_pool_size") == expected_size
    assert sample(samples, "journal_db_pool_checked_out") == 0
    assert sample(samples, "journal_db_pool_checked_in") >= 1
    assert sample(samples, "journal_db_pool_overflow") == 0


async def test_metrics_endpoint_stays_out_of_the_openapi_document(serve_app: ServeApp) -> None:
    async with serve_app(metrics_enabled=True) as served:
        document = (await served.client.get("/openapi.json")).json()
        head = await served.client.head("/metrics")

    assert "/metrics" not in document["paths"]
    assert head.status_code == 200
    assert head.content == b""
