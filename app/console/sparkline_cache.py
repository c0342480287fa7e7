"""The caseload's sparklines, kept per participant while what they draw cannot have changed:
the same journal (its last change number, read for the whole page in one query) and the
same local today. A clinician reloads the caseload all day while few journals change; only
those are read and drawn again (drawing 400 lines was over half of the page's cost). Kept
in the process, bounded, and keyed by what the database says now, so several processes
never disagree. It holds drawn lines only, reached only for participants a caseload has
just listed (the access module's check), and nothing of an erased participant is ever
asked for again: it ages out."""

import uuid
from collections import OrderedDict
from datetime import date

from fastapi import Request
from markupsafe import Markup

# (participant, their last change number, their local today): their drawn lines.
Key = tuple[uuid.UUID, int, date]


class SparklineCache:
    def __init__(self, size: int) -> None:
        self._size = size
        self._lines: OrderedDict[uuid.UUID, tuple[Key, list[Markup]]] = OrderedDict()

    def get(self, key: Key) -> list[Markup] | None:
        found = self._lines.get(key[0])
        if found is None or found[0] != key:
            return None
        self._lines.move_to_end(key[0])
        return found[1]

    def put(self, key: Key, lines: list[Markup]) -> None:
        if not self._size:
            return
        self._lines[key[0]] = (key, lines)
        self._lines.move_to_end(key[0])
        while len(self._lines) > self._size:
            self._lines.popitem(last=False)


def sparkline_cache(request: Request) -> SparklineCache:
    """The serving app's cache, made on first use at its configured size."""
    kept: SparklineCache | None = getattr(request.app.state, "sparkline_cache", None)
    if kept is None:
        size = request.app.state.settings.console_sparkline_cache_size
        kept = request.app.state.sparkline_cache = SparklineCache(size)
    return kept
