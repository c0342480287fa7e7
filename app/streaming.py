"""Streamed response bodies that a client cannot use to hold the server.

A streamed body is produced while the client downloads it, so a client that reads slowly,
or not at all, decides how long the stream lives. Two bounds: a send timeout (a client that
accepts nothing for that long loses the stream and its connection), and a cap on the
streams one account runs at once.
"""

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterable, AsyncIterator, Hashable, Mapping
from typing import Annotated

from fastapi import Depends, Request
from starlette.responses import StreamingResponse
from starlette.types import Message, Send

from app.errors import AppError

logger = logging.getLogger("app.streaming")


class SendTimedOut(Exception):
    """The client accepted no data within the send timeout."""


class TimedStreamingResponse(StreamingResponse):
    """A `StreamingResponse` that stops when the client accepts no data for `send_timeout`
    seconds.

    uvicorn's `send` waits for the socket's write buffer to drain (flow control), so a
    client that stops reading blocks the stream in `send` for as long as it keeps the
    connection open. Past the timeout the stream ends without completing the body, and
    uvicorn closes the connection: the client sees a truncated body, never a complete one.
    """

    def __init__(
        self,
        content: AsyncIterable[bytes],
        *,
        send_timeout: float,
        media_type: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(content, media_type=media_type, headers=headers)
        self.send_timeout = send_timeout

    async def stream_response(self, send: Send) -> None:
        timeout = self.send_timeout

        async def send_within_timeout(message: Message) -> None:
            try:
                async with asyncio.timeout(timeout):
                    await send(message)
            except TimeoutError:
                raise SendTimedOut from None

        try:
            await super().stream_response(send_within_timeout)
        except SendTimedOut:
            logger.warning(
                "stream stopped: the client accepted no data for %s s",
                timeout,
                extra={"event": "stream.send_timeout"},
            )
            # Finish the body's generator now rather than whenever it is collected.
            aclose = getattr(self.body_iterator, "aclose", None)
            if aclose is not None:
                await aclose()


class TooManyStreams(AppError):
    status, code, title = 429, "too-many-requests", "Too many requests"
    example = "2 downloads of this account are already running; wait for one to finish."

    def __init__(self, limit: int, retry_after_seconds: int):
        super().__init__(
            f"{limit} downloads of this account are already running; "
            "wait for one to finish, then try again.",
            headers={"Retry-After": str(max(1, retry_after_seconds))},
        )


class StreamSlots:
    """The streams running in this process, by key (an account and a kind of stream).

    Per process: with several workers the cap applies in each. Counted in memory, so that
    taking and giving back a slot never waits for the database."""

    def __init__(self) -> None:
        self._running: Counter[Hashable] = Counter()

    def try_take(self, key: Hashable, limit: int) -> bool:
        if self._running[key] >= limit:
            return False
        self._running[key] += 1
        return True

    def give_back(self, key: Hashable) -> None:
        self._running[key] -= 1
        if self._running[key] <= 0:
            del self._running[key]

    def running(self, key: Hashable) -> int:
        return self._running[key]


class StreamSlot:
    """At most one slot of `StreamSlots`, given back when the request ends (the response
    sent, failed or abandoned), by the dependency below."""

    def __init__(self, slots: StreamSlots) -> None:
        self._slots = slots
        self._key: Hashable | None = None

    def take(self, key: Hashable, *, limit: int, retry_after_seconds: int) -> None:
        """Take a slot for `key`, or raise `TooManyStreams` if `limit` are taken."""
        if self._key is not None:
            raise RuntimeError("one slot per request")
        if not self._slots.try_take(key, limit):
            raise TooManyStreams(limit, retry_after_seconds)
        self._key = key

    def give_back(self) -> None:
        if self._key is not None:
            self._slots.give_back(self._key)
            self._key = None


async def stream_slot(request: Request) -> AsyncIterator[StreamSlot]:
    """A slot held until the response has been sent: this dependency has the request scope,
    so its exit runs after the streamed body, or when the request fails before it."""
    slots: StreamSlots | None = getattr(request.app.state, "stream_slots", None)
    if slots is None:
        slots = request.app.state.stream_slots = StreamSlots()
    slot = StreamSlot(slots)
    try:
        yield slot
    finally:
        slot.give_back()


StreamSlotDep = Annotated[StreamSlot, Depends(stream_slot, scope="request")]
