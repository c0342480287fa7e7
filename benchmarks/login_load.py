"""Open-loop sign-ins: `rate` POST /v1/auth/token per second with a real password.

Usage: login_load.py BASE_URL EMAIL RATE SECONDS (password in BENCH_LOGIN_PASSWORD).
Each sign-in starts on schedule in its own thread, whether or not the previous one has
answered, so a slow server does not lower the offered load. Prints one JSON line.
"""

import http.client
import json
import os
import statistics
import sys
import threading
import time
import urllib.parse


def sign_in(host: str, port: int, body: str, results: list[tuple[int, float]]) -> None:
    started = time.perf_counter()
    status = 0
    try:
        connection = http.client.HTTPConnection(host, port, timeout=30)
        connection.request(
            "POST",
            "/v1/auth/token",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        response = connection.getresponse()
        response.read()
        status = response.status
        connection.close()
    except OSError:
        status = -1
    results.append((status, (time.perf_counter() - started) * 1000))


def main() -> None:
    base_url, email, rate, seconds = (
        sys.argv[1],
        sys.argv[2],
        float(sys.argv[3]),
        float(sys.argv[4]),
    )
    parsed = urllib.parse.urlsplit(base_url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    body = urllib.parse.urlencode(
        {"username": email, "password": os.environ["BENCH_LOGIN_PASSWORD"]}
    )
    results: list[tuple[int, float]] = []
    threads: list[threading.Thread] = []
    interval = 1 / rate
    started = time.monotonic()
    count = int(seconds * rate)
    for index in range(count):
        delay = started + index * interval - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        thread = threading.Thread(target=sign_in, args=(host, port, body, results))
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    latencies = sorted(ms for status, ms in results if status == 200)
    statuses: dict[str, int] = {}
    for status, _ in results:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    print(
        json.dumps(
            {
                "sent": count,
                "rate": rate,
                "statuses": statuses,
                "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
                "max_ms": round(latencies[-1], 1) if latencies else None,
            }
        )
    )


if __name__ == "__main__":
    main()
