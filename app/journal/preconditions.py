"""`If-Match` on entry edits and deletions (RFC 9110): parsing, and the 412 it leads to."""

import re
from collections.abc import Mapping
from typing import Any

from app.errors import InvalidInput, PreconditionFailed
from app.journal.reads import entry_etag, to_entry_read

ENTITY_TAG = r'(?:W/)?"[!#-~]*"'  # RFC 9110 entity-tag (etagc, ASCII; may hold commas)
IF_MATCH = re.compile(rf"[ \t]*{ENTITY_TAG}[ \t]*(?:,[ \t]*{ENTITY_TAG}[ \t]*)*")


def parse_if_match(if_match: str | None) -> frozenset[str] | None:
    """The entity tags of an `If-Match` header (RFC 9110: `*` or quoted tags, comma-
    separated), or None without one. Anything else is `422`, with the right form shown: an
    unquoted `3` must not be taken for a stale version."""
    if if_match is None:
        return None
    if if_match.strip() == "*":
        return frozenset({"*"})
    if not IF_MATCH.fullmatch(if_match):
        raise InvalidInput(
            "header.if-match",
            'Send the ETag exactly as read, quoted: If-Match: "3" (or * for any version).',
            "bad-if-match",
        )
    return frozenset(re.findall(ENTITY_TAG, if_match))


def check_if_match(candidates: frozenset[str] | None, entry: Mapping[str, Any]) -> None:
    """412 with the current `ETag` and entry (no extra GET needed) unless a tag matches."""
    current = entry_etag(entry["version"])
    if candidates is None or "*" in candidates or current in candidates:
        return
    raise PreconditionFailed(
        f"The entry has changed since the version you sent; it is now {current}.",
        headers={"ETag": current},
        extensions={
            "current_version": entry["version"],
            "entry": to_entry_read(entry).model_dump(mode="json"),
        },
    )
