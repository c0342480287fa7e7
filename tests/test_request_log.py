"""The request log as `journal serve` writes it: one JSON object per line with every field,
the same bytes whether written straight to the stream or through `logging`, and no secret."""

import io
import json
import logging
import re
import sys
from collections.abc import Callable, Iterator

import httpx
import pytest

from app.middleware import PARAMETER_ECHOING_LOGGERS, JsonLogFormatter, configure_logging
from app.request_log import REQUEST_LOG, access_logger
from tests.conftest import Accounts
from tests.helpers import post_entry

FIELDS = [
    "time",
    "level",
    "logger",
    "message",
    "request_id",
    "client_request_id",
    "method",
    "route",
    "status",
    "duration_ms",
]


@pytest.fixture
def log_stream(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[], io.StringIO]]:
    """A function that sets logging up as `journal serve` does (`configure_logging`), on a
    buffer instead of standard error. Called in the test itself: pytest puts its capture
    handlers on the root logger after the fixtures have run, and `configure_logging` takes
    them off again. Everything is put back afterwards."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    saved_levels = {name: logging.getLogger(name).level for name in PARAMETER_ECHOING_LOGGERS}

    def configure() -> io.StringIO:
        stream = io.StringIO()
        monkeypatch.setattr(sys, "stderr", stream)
        configure_logging("INFO")
        return stream

    try:
        yield configure
    finally:
        REQUEST_LOG.attach(None)
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


def request_lines(stream: io.StringIO) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    return [line for line in lines if line["logger"] == "app.access"]


def raw_request_lines(stream: io.StringIO) -> str:
    return "\n".join(line for line in stream.getvalue().splitlines() if '"app.access"' in line)


async def test_each_request_is_one_json_line_with_every_field(
    client: httpx.AsyncClient,
    accounts: Accounts,
    log_stream: Callable[[], io.StringIO],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sam = await accounts.make()
    stream = log_stream()
    # Set up as `journal serve` sets it up, the line is written without `logging`.
    monkeypatch.setattr(access_logger, "info", lambda *args, **kwargs: pytest.fail("logging"))

    created = await post_entry(client, sam, note="told nobody", mood=9)
    refused = await client.get("/v1/me/entries?limit=5", headers={"X-Request-ID": "mine-1"})
    missing = await client.get("/no/such/path")

    assert stream.getvalue().endswith("\n")
    lines = request_lines(stream)
    assert [list(line) for line in lines] == [FIELDS] * 3
    post, get, unknown = lines
    assert post["request_id"] == created.headers["x-request-id"]
    assert (post["method"], post["route"], post["status"]) == ("POST", "/v1/me/entries", 201)
    assert (post["level"], post["message"], post["client_request_id"]) == ("INFO", "request", None)
    assert isinstance(post["duration_ms"], float)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d{4}", str(post["time"]))
    assert (get["route"], get["status"], get["client_request_id"]) == (
        "/v1/me/entries",
        refused.status_code,
        "mine-1",
    )
    assert (unknown["route"], unknown["status"]) == ("unmatched", missing.status_code)
    everything = raw_request_lines(stream)
    for secret in (sam.access_token, "told nobody", '"mood"', "limit=5"):
        assert secret not in everything


def test_the_direct_line_is_the_line_logging_would_write(
    log_stream: Callable[[], io.StringIO],
) -> None:
    stream = log_stream()
    through_logging = io.StringIO()
    extra = logging.StreamHandler(through_logging)
    extra.setFormatter(JsonLogFormatter())
    values = ("ab12", 'their "id"', "PATCH", "/v1/me/entries/{entry_id} é", 412, 3.5)

    REQUEST_LOG.write(*values)  # the only handler: straight to the stream
    logging.getLogger().addHandler(extra)  # now `logging` must hand the line to both
    REQUEST_LOG.write(*values)

    direct, via_logging = stream.getvalue().splitlines()
    assert [via_logging] == through_logging.getvalue().splitlines()

    def without_time(line: str) -> str:
        return re.sub(r'^\{"time": "[^"]*"', "", line)

    assert without_time(direct) == without_time(via_logging)
    assert json.loads(direct)["route"] == "/v1/me/entries/{entry_id} é"


async def test_no_request_line_below_the_configured_level(
    client: httpx.AsyncClient, log_stream: Callable[[], io.StringIO]
) -> None:
    stream = log_stream()
    logging.getLogger().setLevel(logging.WARNING)

    await client.get("/healthz")

    assert request_lines(stream) == []
