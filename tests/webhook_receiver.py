"""A webhook receiver for tests: a tiny HTTP/1.1 server on 127.0.0.1, in the test's own
event loop, that records each request and answers as each path is told to."""

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

HANG = -1  # an answer: never answer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    port: int = 0
    received: list[Received] = field(default_factory=list)
    # Per path, the answers to give in turn (then 200).
    answers: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    released: asyncio.Event = field(default_factory=asyncio.Event)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def at(self, path: str) -> list[Received]:
        return [item for item in self.received if item.path == path]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = (await reader.readline()).decode()
            headers: dict[str, str] = {}
            while (line := (await reader.readline()).decode().strip()) != "":
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            path = request_line.split()[1]
            self.received.append(Received(path, headers, body))
            queued = self.answers[path]
            status = queued.pop(0) if queued else 200
            if status == HANG:
                await self.released.wait()
                return
            extra = f"location: {self.url('/elsewhere')}\r\n" if 300 <= status < 400 else ""
            head = f"HTTP/1.1 {status} X\r\ncontent-length: 0\r\n{extra}connection: close\r\n"
            writer.write(f"{head}\r\n".encode())
            await writer.drain()
        finally:
            writer.close()


@asynccontextmanager
async def receiver() -> AsyncIterator[Receiver]:
    receiving = Receiver()
    server = await asyncio.start_server(receiving.handle, "127.0.0.1", 0)
    receiving.port = server.sockets[0].getsockname()[1]
    try:
        yield receiving
    finally:
        receiving.released.set()
        server.close()
        await server.wait_closed()
