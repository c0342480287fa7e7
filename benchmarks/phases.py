"""The measured phases: each starts the servers it compares, interleaves their runs, stops them.

P5 (the export's memory) is in exports.py."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import exports
import loadgen
import seed
import sweeps
from harness import Bench, Case
from servers import Server, http_request

from app.alerts.defaults import DEFAULT_RULES
from app.console.sessions import COOKIE_NAME, cookie_value


def baseline(bench: Bench) -> None:
    """P1 and P3: the service against the bare Core app, on the 1M database."""
    big = bench.fixtures["1m"]
    print("P1/P3: real service vs bare Core baseline (1M rows)", flush=True)
    bare = bench.server("baseline", big, app="baseline_app:app")
    real = bench.server("real", big)
    t = bench.timing
    bare_writers = bench.header_file(
        "baseline-writers", [f"X-Participant-Id: {pid}" for pid in big.baseline_writers]
    )
    real_writers = bench.bearer_file("real-writers", big, big.writers)
    assert big.list_participant is not None
    listed = bench.bearer_file("list", big, [big.list_participant])
    no_auth = bench.header_file("no-auth", ["X-Bench: 1"])
    bare_list = f"/entries?limit=50&participant_id={big.list_participant.user_id}"
    c = t.connections
    bench.interleave(
        [
            Case(
                "bare.post",
                bare,
                "/entries",
                "post_entry.lua",
                bench.post_args(bare_writers, "/entries"),
                c,
                t.seconds,
            ),
            Case(
                "real.post",
                real,
                "/v1/me/entries",
                "post_entry.lua",
                bench.post_args(real_writers, "/v1/me/entries"),
                c,
                t.seconds,
            ),
        ]
    )
    bench.interleave(
        [
            Case("bare.list", bare, bare_list, "get.lua", [no_auth], c, t.seconds),
            Case(
                "real.list@1m",
                real,
                "/v1/me/entries?limit=50",
                "get.lua",
                [listed],
                c,
                t.seconds,
            ),
        ]
    )
    bench.stop_all()


def scale(bench: Bench) -> None:
    """P2: one participant's list with 1k rows in the table vs with 1M."""
    small, big = bench.fixtures["1k"], bench.fixtures["1m"]
    print("P2: participant list(50) at 1k vs 1M total rows", flush=True)
    real_small = bench.server("real-1k", small)
    real_big = bench.server("real-1m", big)
    assert small.list_participant and big.list_participant
    t = bench.timing
    bench.interleave(
        [
            Case(
                "p2.list@1k",
                real_small,
                "/v1/me/entries?limit=50",
                "get.lua",
                [bench.bearer_file("list-1k", small, [small.list_participant])],
                t.connections,
                t.seconds,
            ),
            Case(
                "p2.list@1m",
                real_big,
                "/v1/me/entries?limit=50",
                "get.lua",
                [bench.bearer_file("list-1m", big, [big.list_participant])],
                t.connections,
                t.seconds,
            ),
        ]
    )
    bench.stop_all()


def overview(bench: Bench) -> None:
    """P4: the clinician's overview of 200 participants vs one participant's entries."""
    big = bench.fixtures["1m"]
    assert big.clinician and big.clinician_participant
    print("P4: clinician overview (200 participants x 1 year) at 1 connection", flush=True)
    real = bench.server("real", big)
    clinician = bench.bearer_file("clinician", big, [big.clinician])
    t = bench.timing
    bench.interleave(
        [
            Case(
                "p4.overview200",
                real,
                "/v1/clinician/participants?limit=200",
                "get.lua",
                [clinician],
                1,
                t.latency_seconds,
            ),
            Case(
                "p4.participant_entries",
                real,
                f"/v1/clinician/participants/{big.clinician_participant}/entries?limit=50",
                "get.lua",
                [clinician],
                1,
                t.latency_seconds,
            ),
        ]
    )
    bench.stop_all()


def overview_alerts(bench: Bench) -> None:
    """P4a: the overview of a caseload whose 200 participants have alerts (open, acknowledged,
    escalated, resolved; urgent and routine) vs one of them's entries; the overview of the
    caseload without alerts (P4's clinician) runs in the same rounds, for comparison."""
    big = bench.fixtures["1m"]
    assert big.alerts_clinician and big.alerts_clinician_participant and big.clinician
    print(
        f"P4a: clinician overview with alerts ({sum(big.alerts.values()):,} alerts: "
        f"{big.alerts}) at 1 connection",
        flush=True,
    )
    real = bench.server("real", big)
    alerted = bench.bearer_file("alerts-clinician", big, [big.alerts_clinician])
    quiet = bench.bearer_file("clinician-p4a", big, [big.clinician])
    overview_path = "/v1/clinician/participants?limit=200"
    entries_path = f"/v1/clinician/participants/{big.alerts_clinician_participant}/entries?limit=50"
    seconds = bench.timing.latency_seconds
    bench.interleave(
        [
            Case("p4a.overview200", real, overview_path, "get.lua", [alerted], 1, seconds),
            Case("p4a.participant_entries", real, entries_path, "get.lua", [alerted], 1, seconds),
            Case("p4a.overview200.no_alerts", real, overview_path, "get.lua", [quiet], 1, seconds),
        ]
    )
    bench.stop_all()


def console(bench: Bench) -> None:
    """C1: the console's caseload page (200 participants, HTML with sparklines) vs the API's
    overview of the same caseload, the clinician signed in to both (a console cookie minted
    for their seeded session, as the sign-in form would set it)."""
    big = bench.fixtures["1m"]
    assert big.clinician
    print("C1: console caseload page vs the API overview (200 participants)", flush=True)
    real = bench.server("real", big)
    cookie = cookie_value(
        seed.bench_settings(big.url),
        uuid.UUID(big.clinician.user_id),
        uuid.UUID(str(big.clinician.session_id)),
    )
    seed.reopen_session(big.url, big.clinician)
    status, _ = http_request(real.port, "GET", "/console/", {"Cookie": f"{COOKIE_NAME}={cookie}"})
    if status != 200:  # a redirect to the sign-in page would be measured as a fast page
        raise RuntimeError(f"GET /console/ with the minted cookie answered {status}")
    page = bench.header_file("console-clinician", [f"Cookie: {COOKIE_NAME}={cookie}"])
    api = bench.bearer_file("clinician-c1", big, [big.clinician])
    seconds = bench.timing.latency_seconds
    # The same page from a server that keeps no drawn sparklines: every view is a first view.
    cold = bench.server("cold", big, env={"JOURNAL_CONSOLE_SPARKLINE_CACHE_SIZE": "0"})
    bench.interleave(
        [
            Case("c1.console_caseload", real, "/console/", "get.lua", [page], 1, seconds),
            Case("c1.console_caseload.cold", cold, "/console/", "get.lua", [page], 1, seconds),
            Case(
                "c1.overview200",
                real,
                "/v1/clinician/participants?limit=200",
                "get.lua",
                [api],
                1,
                seconds,
            ),
        ]
    )
    bench.stop_all()


def put_clinic_rules(server: Server, token: str, body: dict[str, Any]) -> None:
    """Replace the clinic's alert rules through the admin API; the answer must be the set."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    raw = json.dumps(body).encode()
    status, answer = http_request(server.port, "PUT", "/v1/admin/alert-rules", headers, raw)
    if status != 200 or len(json.loads(answer)["rules"]) != len(body["rules"]):
        raise RuntimeError(f"PUT /v1/admin/alert-rules answered {status}: {answer[:300]!r}")


def rules(bench: Bench) -> None:
    """R1: entry POSTs of many participants with a daily history, with the clinic's default
    alert rules on vs with none (`PUT /v1/admin/alert-rules {"rules": []}` before each run
    of that case, the defaults put back before each run of the other and at the end)."""
    big = bench.fixtures["1m"]
    assert big.admin and big.rule_writers
    print(
        f"R1: entry POST with the default alert rules vs none "
        f"({len(big.rule_writers)} writers with history)",
        flush=True,
    )
    real = bench.server("real", big)
    admin = seed.mint_token(big.url, big.admin)
    defaults: dict[str, Any] = DEFAULT_RULES.model_dump(mode="json")
    writers = bench.post_args(
        bench.bearer_file("rule-writers", big, big.rule_writers), "/v1/me/entries"
    )
    before = _rule_writer_alerts(big.url)
    t = bench.timing
    try:
        bench.interleave(
            [
                Case(
                    "rules.post.on",
                    real,
                    "/v1/me/entries",
                    "post_entry.lua",
                    writers,
                    t.connections,
                    t.seconds,
                    before=lambda: put_clinic_rules(real, admin, defaults),
                ),
                Case(
                    "rules.post.off",
                    real,
                    "/v1/me/entries",
                    "post_entry.lua",
                    writers,
                    t.connections,
                    t.seconds,
                    before=lambda: put_clinic_rules(real, admin, {"rules": []}),
                ),
            ]
        )
    finally:
        put_clinic_rules(real, admin, defaults)
        bench.stop_all()
    after = _rule_writer_alerts(big.url)
    bench.info["rules"] = {"rule_writer_alerts_before": before, "after": after}
    print(f"    the writers' alerts (count, evidence items): before {before}, after {after}")


def _rule_writer_alerts(url: str) -> list[int]:
    """How many alerts the rule writers have, and how many evidence items in all."""
    rows = seed.fetch(
        url,
        "SELECT count(*), coalesce(sum(json_array_length(alerts.evidence)), 0) FROM alerts "
        "JOIN users ON users.id = alerts.participant_id WHERE users.email LIKE 'rule-writer-%'",
    )
    return [int(value) for value in rows[0]]


def issue3(bench: Bench) -> None:
    """List, changes and summary latency at 1 connection: 10k vs 1M rows in the table."""
    medium, big = bench.fixtures["10k"], bench.fixtures["1m"]
    assert medium.list_participant and big.list_participant
    print("Issue 3: list / changes / summary at 10k vs 1M total rows, 1 connection")
    real_medium = bench.server("real-10k", medium)
    real_big = bench.server("real-1m", big)
    headers = {
        "10k": bench.bearer_file("i3-10k", medium, [medium.list_participant]),
        "1m": bench.bearer_file("i3-1m", big, [big.list_participant]),
    }
    paths = {
        "list": "/v1/me/entries?limit=50",
        "changes": "/v1/me/entries/changes?limit=50",
        "summary": "/v1/me/summary",
    }
    for name, path in paths.items():
        bench.interleave(
            [
                Case(
                    f"i3.{name}@10k",
                    real_medium,
                    path,
                    "get.lua",
                    [headers["10k"]],
                    1,
                    bench.timing.latency_seconds,
                ),
                Case(
                    f"i3.{name}@1m",
                    real_big,
                    path,
                    "get.lua",
                    [headers["1m"]],
                    1,
                    bench.timing.latency_seconds,
                ),
            ]
        )
    bench.stop_all()


def logins(bench: Bench) -> None:
    """P6: entry POST latency with 5 real-password sign-ins per second, and without."""
    big = bench.fixtures["1m"]
    assert big.login_email
    print(f"P6: entry POST with and without {bench.timing.login_rate:g} logins/s", flush=True)
    real = bench.server("real", big)
    email = big.login_email
    # One sign-in first, so that the first Argon2 run is not inside a measurement.
    warm = loadgen.start_login_load(real.base_url, email, seed.LOGIN_PASSWORD, 1, 1)
    print(f"    warm-up login: {loadgen.finish_login_load(warm)}")

    def logins(seconds: float) -> Callable[[], dict[str, Any]]:
        process = loadgen.start_login_load(
            real.base_url, email, seed.LOGIN_PASSWORD, bench.timing.login_rate, seconds
        )
        return lambda: loadgen.finish_login_load(process)

    writers = bench.post_args(bench.bearer_file("p6-writers", big, big.writers), "/v1/me/entries")
    t = bench.timing
    bench.interleave(
        [
            Case(
                "p6.post",
                real,
                "/v1/me/entries",
                "post_entry.lua",
                writers,
                t.connections,
                t.seconds,
            ),
            Case(
                "p6.post+logins",
                real,
                "/v1/me/entries",
                "post_entry.lua",
                writers,
                t.connections,
                t.seconds,
                during=logins,
            ),
        ]
    )
    bench.stop_all()


def workers(bench: Bench) -> None:
    """P7: entry POST throughput of 2 uvicorn workers vs 1."""
    big = bench.fixtures["1m"]
    print("P7: entry POST, 1 worker vs 2 workers", flush=True)
    one = bench.server("real-1w", big)
    two = bench.server("real-2w", big, workers=2)
    writers = bench.post_args(bench.bearer_file("p7-writers", big, big.writers), "/v1/me/entries")
    t = bench.timing
    bench.interleave(
        [
            Case(
                "p7.post.1worker",
                one,
                "/v1/me/entries",
                "post_entry.lua",
                writers,
                t.connections,
                t.seconds,
            ),
            Case(
                "p7.post.2workers",
                two,
                "/v1/me/entries",
                "post_entry.lua",
                writers,
                t.connections,
                t.seconds,
            ),
        ]
    )
    bench.stop_all()


def request_log(bench: Bench) -> None:
    """L1: entry POSTs of the 64 writers on two identical servers, one with the request log
    (`JOURNAL_LOG_LEVEL=INFO`, the default) and one without (`WARNING`), interleaved."""
    big = bench.fixtures["1m"]
    print("L1: entry POST with the request log on (INFO) vs off (WARNING)", flush=True)
    on = bench.server("log-on", big, env={"JOURNAL_LOG_LEVEL": "INFO"})
    off = bench.server("log-off", big, env={"JOURNAL_LOG_LEVEL": "WARNING"})
    writers = bench.post_args(bench.bearer_file("log-writers", big, big.writers), "/v1/me/entries")
    t = bench.timing
    path = "/v1/me/entries"
    cases = [
        Case(key, server, path, "post_entry.lua", writers, t.connections, t.seconds)
        for key, server in (("log.post.on", on), ("log.post.off", off))
    ]
    # A few per cent is the whole difference: more rounds than the other phases, and each
    # case first in half of them.
    bench.interleave(cases, reps=max(t.reps, 6), alternate=True)
    bench.stop_all()
    lines = {server.name: _lines(server) for server in (on, off)}
    bench.info["request_log"] = {"log_lines": lines}
    print(f"    lines in the servers' logs: {lines}")


def _lines(server: Server) -> int:
    assert server.log_path is not None
    with server.log_path.open("rb") as log:
        return sum(1 for _ in log)


PHASES: dict[str, Callable[[Bench], None]] = {
    "baseline": baseline,
    "scale": scale,
    "overview": overview,
    "overview_alerts": overview_alerts,
    "issue3": issue3,
    "export": exports.export,
    "logins": logins,
    "workers": workers,
    "rules": rules,
    "console": console,
    "sweeper": sweeps.sweeper,
    "requestlog": request_log,
}
# The databases each phase reads (only those are seeded).
PHASE_DATABASES: dict[str, tuple[str, ...]] = {
    "baseline": ("1m",),
    "scale": ("1k", "1m"),
    "overview": ("1m",),
    "overview_alerts": ("1m",),
    "issue3": ("10k", "1m"),
    "export": ("1m",),
    "logins": ("1m",),
    "workers": ("1m",),
    "rules": ("1m",),
    "console": ("1m",),
    "sweeper": ("sweep",),
    "requestlog": ("1m",),
}
