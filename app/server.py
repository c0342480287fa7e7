"""How `journal serve` runs uvicorn: bounded request heads, deadlines for incomplete
requests, a connection cap, and proxy headers believed only from configured proxies.

uvicorn's httptools protocol has no limit on a request's head (llhttp has none, and
httptools buffers a header it has not finished in memory: a 32 MB header got `200`, three
100 MB unterminated ones held 285 MB) and no deadline before the first response (a
half-sent request kept its connection for ever). `BoundedHttpToolsProtocol` adds both, in
a few overridden callbacks; everything else is uvicorn's. `uvicorn app.main:app` run
directly has none of this: production runs `journal serve` (the Docker image does) or sits
behind a reverse proxy that enforces the same (docs/scaling.md, "Reverse proxy in production").
"""

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

from app.config import Settings, get_settings

logger = logging.getLogger("app.server")

# Connections the kernel queues before uvicorn accepts them (uvicorn's default, said aloud).
BACKLOG = 2048
# Bytes a request line and each header line take beyond their text ("GET  HTTP/1.1", ": ",
# CRLFs), so that the head counted from the parser's callbacks is the head as sent.
_REQUEST_LINE_OVERHEAD = 16
_HEADER_LINE_OVERHEAD = 4


class HeadTooLarge(Exception):
    """Raised from a parser callback to stop parsing a head past the limit."""


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a bound on the request head (`431`) and deadlines
    for receiving the head and the body (the connection is closed past either).

    The head is counted twice: the bytes received while it is unfinished (what httptools
    buffers, so memory stays within the limit plus one read), and exactly, from the URL and
    headers the parser hands over once it is complete (a head that arrived in one read)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Read per connection from the environment, so that `--workers` processes get it too.
        settings = get_settings()
        self.max_head_bytes = settings.max_header_bytes
        self.head_timeout = settings.header_timeout_seconds
        self.body_timeout = settings.body_timeout_seconds
        self._in_head = True  # waiting for (the rest of) a request line and headers
        self._head_bytes_received = 0
        self._head_size = 0
        self._deadline: asyncio.TimerHandle | None = None

    # --- connection ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.head_timeout)  # a connection that never sends a byte is closed too

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._head_bytes_received += len(data)
            if self._deadline is None:  # the first byte of a keep-alive connection's next request
                self._arm(self.head_timeout)
        super().data_received(data)
        if (
            self._in_head
            and self._head_bytes_received > self.max_head_bytes
            and not self.transport.is_closing()
        ):
            self._refuse(431, "Request header fields too large")

    def send_400_response(self, msg: str) -> None:
        if self.transport.is_closing():  # already answered (431) and closing: say nothing more
            return
        super().send_400_response(msg)

    # --- parser callbacks ------------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_size = _REQUEST_LINE_OVERHEAD

    def on_url(self, url: bytes) -> None:
        self._head_size += len(url)
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._head_size += len(name) + len(value) + _HEADER_LINE_OVERHEAD
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        if self._head_size > self.max_head_bytes:
            self._refuse(431, "Request header fields too large")
            raise HeadTooLarge  # stops the parser: no request reaches the app
        self._in_head = False
        self._head_bytes_received = 0
        self._disarm()
        self._arm(self.body_timeout)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._disarm()
        self._in_head = True
        super().on_message_complete()

    # --- deadlines and refusals ------------------------------------------------------

    def _arm(self, seconds: float) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, self._deadline_passed)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _request_in_flight(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _deadline_passed(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        if self._in_head and self._request_in_flight():
            # A pipelined head waits while the previous response is still going out.
            self._arm(self.head_timeout)
            return
        logger.info("closing a connection whose request did not arrive in time")
        if self._in_head and self._head_bytes_received:
            self._refuse(408, "Request timeout")  # nothing else is on the wire: say why
        else:
            self.transport.close()

    def _refuse(self, status: int, message: str) -> None:
        """Answer `status` and close, unless a response is already going out (then close)."""
        self._disarm()
        if not self._request_in_flight():
            body = message.encode("ascii")
            head = [STATUS_LINE[status], *self._default_header_lines()]
            head.append(b"content-type: text/plain; charset=utf-8\r\n")
            head.append(b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body))
            self.transport.write(b"".join(head) + body)
        self.transport.close()

    def _default_header_lines(self) -> list[bytes]:
        return [name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers]


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The keyword arguments of `uvicorn.run` that `journal serve` adds to host and port."""
    return {
        # An import string, not the class: `--workers` processes import it themselves.
        "http": f"{__name__}:{BoundedHttpToolsProtocol.__name__}",
        "limit_concurrency": settings.max_connections,
        "backlog": BACKLOG,
        "timeout_keep_alive": settings.keep_alive_seconds,
        # X-Forwarded-For and -Proto only from the configured proxies; with none, the
        # address a request is throttled and audited under is the peer's, whatever it says.
        "proxy_headers": bool(settings.trusted_proxies),
        "forwarded_allow_ips": ",".join(settings.trusted_proxies) or None,
        "access_log": False,  # our middleware logs each request (and costs less)
        "log_config": None,
    }
