"""Profile the service under one benchmark scenario with py-spy, and summarise the profile.

    .venv/bin/python benchmarks/run.py --keep --phases ""     # seed once, keep the databases
    .venv/bin/python benchmarks/pyspy_profile.py post  # or: rules list overview console export bare
    .venv/bin/python benchmarks/pyspy_profile.py post --app-dir ../worktree   # a proposed fix

py-spy is not a project dependency: install it in a separate virtualenv, e.g.
`python3 -m venv /tmp/benchprof && /tmp/benchprof/bin/pip install py-spy`, and pass
`--py-spy /tmp/benchprof/bin/py-spy` (the default) or put it on PATH. The raw collapsed stacks
are written next to the summary (flamegraph.pl or speedscope can draw them).
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import seed
from harness import Bench, Case, Timing
from run import DEFAULT_PREFIX, state_dir
from servers import SERVICE, Server

from app.console.sessions import COOKIE_NAME, cookie_value

SCENARIOS = ("post", "rules", "list", "overview", "console", "export", "bare")


def summarise(raw: Path, top: int) -> str:
    """Inclusive and self share of each function in py-spy's collapsed ('raw') output."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0

    def name(frame: str) -> str:
        match = re.match(r"(.*) \((.*?)(?::\d+)?\)$", frame)
        if not match:
            return frame
        function, path = match.groups()
        path = re.sub(r".*site-packages/", "", path)
        path = re.sub(r".*/(app|benchmarks)/", r"\1/", path)
        return f"{function} ({path})"

    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        samples = int(count)
        total += samples
        frames = [name(frame) for frame in stack.split(";")]
        for frame in set(frames):
            inclusive[frame] += samples
        own[frames[-1]] += samples
    skip = re.compile(r"click/|uvicorn/main|asyncio/runners|_compat|<module>|starlette/|uvicorn/")
    lines = [
        f"{total} samples",
        "",
        "inclusive (own code and libraries; servers' plumbing hidden):",
    ]
    shown = [(f, n) for f, n in inclusive.most_common() if not skip.search(f)][:top]
    lines += [f"  {100 * n / total:5.1f}%  {f}" for f, n in shown]
    lines += ["", "self:"]
    lines += [f"  {100 * n / total:5.1f}%  {f}" for f, n in own.most_common(top)]
    return "\n".join(lines)


# Where an entry POST's CPU goes, by the first of these found in a sample's stack (function
# names as py-spy reports them). The order settles overlaps: a query run by the token check
# counts as the token check, the commit (run when the session dependency exits) as commit.
COMPONENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("request log line", ("request_log.py",)),
    ("alert evaluation (rules and their 35 days)", ("evaluate_entry_rules",)),
    ("insert: entry, its day and its event (one statement)", ("_insert_new",)),
    ("other work of the create (support, answer model)", ("create_my_entry",)),
    ("token and session check", ("get_identity",)),
    ("commit", ("AsyncSession.commit", "Transaction.commit")),
    ("database session: connection and BEGIN", ("get_session",)),
    ("body: read, parse, validate", ("request_body_to_args", "_get_body", "Request.body")),
    ("other dependency solving", ("solve_dependencies",)),
    ("response: serialize and send", ("serialize_response", "send_wrapper", "Response.__call__")),
    ("routing and middleware", ("FastAPI.__call__",)),
)


def components(raw: Path) -> list[tuple[str, float]]:
    """Each component's share of the samples (the rest: the server and its event loop)."""
    counts: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        samples = int(count)
        total += samples
        found = next(
            (name for name, marks in COMPONENTS if any(mark in stack for mark in marks)),
            "server and event loop (uvicorn, asyncio)",
        )
        counts[found] += samples
    order = [name for name, _ in COMPONENTS] + ["server and event loop (uvicorn, asyncio)"]
    return [(name, counts[name] / total) for name in order if total]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("scenario", choices=SCENARIOS)
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--app-dir", type=Path, help="run `app` from this directory")
    parser.add_argument("--database-prefix", default=DEFAULT_PREFIX, help="as given to run.py")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples per second")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting of the profiled server, e.g. JOURNAL_LOG_LEVEL=WARNING (repeatable)",
    )
    default_spy = shutil.which("py-spy") or str(
        Path(tempfile.gettempdir()) / "benchprof/bin/py-spy"
    )
    parser.add_argument("--py-spy", default=default_spy)
    args = parser.parse_args()
    if not Path(args.py_spy).exists():
        sys.exit("py-spy not found: see the instructions at the top of benchmarks/pyspy_profile.py")
    state = state_dir(args.database, args.database_prefix)
    fixtures = {
        path.stem: seed.Fixture.from_json(path.read_text()) for path in state.glob("*.json")
    }
    if "1m" not in fixtures:
        sys.exit('No kept databases: run `benchmarks/run.py --keep --phases ""` first.')
    big = fixtures["1m"]
    assert big.list_participant and big.clinician and big.export_participant
    work = Path(tempfile.mkdtemp(prefix="journal-profile-"))
    cpu_ms = 0.0
    bench = Bench(args.database, Timing.quick(), work, fixtures, app_dir=args.app_dir)
    app = "baseline_app:app" if args.scenario == "bare" else SERVICE
    env = dict(setting.split("=", 1) for setting in args.env)
    server = bench.server(args.scenario, big, app=app, env=env)
    raw = work / f"{args.scenario}.pyspy.txt"
    try:
        spy_argv = [args.py_spy, "record", "-p", str(server.pid), "-r", str(args.rate)]
        spy_argv += ["-d", str(round(args.seconds)), "-f", "raw", "-o", str(raw)]
        if args.scenario == "export":
            token = seed.mint_token(big.url, big.export_participant)
            spy = subprocess.Popen(spy_argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            time.sleep(0.5)
            deadline = time.monotonic() + args.seconds - 1
            while time.monotonic() < deadline:
                url = f"{server.base_url}/v1/me/export?format=json"
                auth = f"Authorization: Bearer {token}"
                subprocess.run(["curl", "-sS", "-o", "/dev/null", "-H", auth, url], check=False)
        else:
            case = make_case(bench, server, args.scenario, args.seconds)
            case.run(3, "warm-up")
            spy = subprocess.Popen(spy_argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            time.sleep(0.5)
            result = case.run(args.seconds - 1, args.scenario)
            print(
                f"{args.scenario}: {result.rps} req/s, p50 {result.p50_ms} ms, "
                f"server CPU {result.cpu_ms_per_request} ms/req"
            )
            cpu_ms = result.cpu_ms_per_request
        _, errors = spy.communicate(timeout=args.seconds + 60)
        if spy.returncode != 0:
            sys.exit(f"py-spy failed: {errors.decode()}")
    finally:
        bench.stop_all()
    summary = summarise(raw, args.top)
    if args.scenario != "export":
        table = ["", "CPU per request by component (share of samples x server CPU ms/req):"]
        table += [
            f"  {share * cpu_ms:6.3f} ms  {100 * share:5.1f}%  {name}"
            for name, share in components(raw)
        ]
        summary += "\n".join(table)
    (work / f"{args.scenario}.summary.txt").write_text(summary)
    print(summary)
    print(f"\nRaw stacks: {raw}")


def make_case(bench: Bench, server: Server, scenario: str, seconds: float) -> Case:
    big = bench.fixtures["1m"]
    assert big.list_participant and big.clinician
    if scenario == "post":
        headers = bench.bearer_file("writers", big, big.writers)
        args = bench.post_args(headers, "/v1/me/entries")
        return Case("post", server, "/v1/me/entries", "post_entry.lua", args, 32, seconds)
    if scenario == "rules":  # writers with a daily history: the entry rules read rows
        headers = bench.bearer_file("rule-writers", big, big.rule_writers)
        args = bench.post_args(headers, "/v1/me/entries")
        return Case("rules", server, "/v1/me/entries", "post_entry.lua", args, 32, seconds)
    if scenario == "bare":
        lines = [f"X-Participant-Id: {pid}" for pid in big.baseline_writers]
        args = bench.post_args(bench.header_file("bare", lines), "/entries")
        return Case("bare", server, "/entries", "post_entry.lua", args, 32, seconds)
    if scenario == "list":
        headers = bench.bearer_file("list", big, [big.list_participant])
        return Case("list", server, "/v1/me/entries?limit=50", "get.lua", [headers], 32, seconds)
    if scenario == "console":  # the caseload page, signed in as the sign-in form would
        seed.reopen_session(big.url, big.clinician)
        cookie = cookie_value(
            seed.bench_settings(big.url),
            uuid.UUID(big.clinician.user_id),
            uuid.UUID(str(big.clinician.session_id)),
        )
        page = bench.header_file("console", [f"Cookie: {COOKIE_NAME}={cookie}"])
        return Case("console", server, "/console/", "get.lua", [page], 1, seconds)
    headers = bench.bearer_file("clinician", big, [big.clinician])
    path = "/v1/clinician/participants?limit=200"
    return Case("overview", server, path, "get.lua", [headers], 1, seconds)


if __name__ == "__main__":
    main()
