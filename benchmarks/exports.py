"""P5: the server's peak memory while one export streams, on a fresh server each time."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import seed
from harness import Bench
from seed import Account, Fixture, Scale
from servers import http_get, memory_kib


def export(bench: Bench) -> None:
    """P5: peak RSS of the server process during one export, on a fresh server each time."""
    big = bench.fixtures["1m"]
    assert big.export_participant and big.list_participant
    print("P5: export peak RSS, 100k vs 1k entries (server restarted for each)", flush=True)
    scale = Scale()
    targets = {
        "1k": (big.list_participant, scale.list_entries),
        "100k": (big.export_participant, scale.export_entries),
    }
    for rep in range(bench.timing.reps):
        for label, (account, expected) in targets.items():
            measured = measure_export(bench, big, account, f"export.{label}", expected)
            measured["rep"] = rep
            bench.exports.append(measured)
            failed = "" if measured["complete"] else f"  FAILED: {measured['error']}"
            print(
                f"    export.{label:<6} rep {rep + 1}: peak {measured['peak_kib'] / 1024:7.1f}"
                f" MiB (+{measured['growth_kib'] / 1024:6.1f} MiB over idle), "
                f"{measured['bytes'] / 1e6:6.1f} MB in {measured['seconds']:.2f} s{failed}",
                flush=True,
            )


def measure_export(
    bench: Bench, fixture: Fixture, account: Account, label: str, expected: int
) -> dict[str, Any]:
    """Start a fresh server, warm it, reset its peak-RSS mark, export, read the peak.

    The peak (VmHWM) is reset through /proc/<pid>/clear_refs after the warm-up, because
    the process's start-up peak (the Argon2 dummy hash takes 64 MiB) is higher than
    anything an export adds; VmRSS is also sampled every 5 ms as a cross-check."""
    server = bench.server(label, fixture)
    token = seed.mint_token(fixture.url, account)
    auth = {"Authorization": f"Bearer {token}"}
    body = bench.work / f"{label}.json"
    try:
        for path in ("/v1/me", "/v1/me/entries?limit=1"):
            code, _ = http_get(server.port, path, auth)
            if code != 200:
                raise RuntimeError(f"{label}: GET {path} answered {code}")
        idle_rss = memory_kib(server.pid, "VmRSS")
        startup_hwm = memory_kib(server.pid, "VmHWM")
        try:
            Path(f"/proc/{server.pid}/clear_refs").write_text("5")
            hwm_reset = True
        except OSError:
            hwm_reset = False
        sampled = [idle_rss]
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                try:
                    sampled.append(memory_kib(server.pid, "VmRSS"))
                except (OSError, KeyError):
                    return
                time.sleep(0.005)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        cpu_before = server.cpu_seconds()
        completed = subprocess.run(
            [
                "curl",
                "-sS",
                "-o",
                str(body),
                "-w",
                "%{http_code} %{size_download} %{time_total}",
                "-H",
                f"Authorization: Bearer {token}",
                f"{server.base_url}/v1/me/export?format=json",
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=600,
        )
        cpu = server.cpu_seconds() - cpu_before
        stop.set()
        sampler.join()
        peak = memory_kib(server.pid, "VmHWM") if hwm_reset else max(sampled)
    finally:
        bench.stop_all()
    status, size, seconds = completed.stdout.split()
    entries, error = -1, None
    if completed.returncode != 0:
        error = f"curl exit {completed.returncode}: {completed.stderr.strip()}"
    try:
        entries = len(json.loads(body.read_bytes())["entries"])
    except (ValueError, KeyError) as exc:
        error = error or f"not a complete JSON document: {exc}"
    body.unlink(missing_ok=True)
    if error is None and entries != expected:
        error = f"{entries} entries exported, {expected} expected"
    return {
        "label": label,
        "status": int(status),
        "complete": error is None,
        "error": error,
        "entries": entries,
        "bytes": int(size),
        "seconds": float(seconds),
        "idle_rss_kib": idle_rss,
        "startup_hwm_kib": startup_hwm,
        "hwm_reset": hwm_reset,
        "peak_kib": peak,
        "peak_sampled_rss_kib": max(sampled),
        "growth_kib": peak - idle_rss,
        "cpu_seconds": round(cpu, 3),
    }
