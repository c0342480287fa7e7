"""Query and header parameters of the entry lists and summaries (participant and clinician)."""

from typing import Annotated

from fastapi import Header, Query

from app.journal.stats import Bucket
from app.schemas import IsoDate, Rfc3339DateTime

IfMatch = Annotated[
    str | None,
    Header(
        max_length=200,
        description=(
            'The `ETag` you read, quoted as sent (`"3"`), or `*` for any version. Without '
            "it the change applies unconditionally; with a stale one the answer is `412` "
            "with the current `ETag` header and the current `entry` in the problem, and "
            "nothing changes. A malformed value (an unquoted `3`) is `422`."
        ),
        examples=['"3"'],
        # Documented, checked by the service (whose 422 shows the right form).
        json_schema_extra={
            "pattern": r'^(\*|[ \t]*(W/)?"[!#-~]*"[ \t]*(,[ \t]*(W/)?"[!#-~]*"[ \t]*)*)$'
        },
    ),
]
TagQuery = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=32,
        pattern=r"^[a-z0-9-]+$",
        description="Only entries with this tag.",
        examples=["walk"],
    ),
]
BucketQuery = Annotated[
    Bucket, Query(description="`day`: one point per local date; `week`: per ISO week.")
]
FromInstant = Annotated[
    Rfc3339DateTime | None,
    Query(alias="from", description="Entries recorded at or after this instant (with offset)."),
]
ToInstant = Annotated[
    Rfc3339DateTime | None,
    Query(alias="to", description="Entries recorded before this instant (with offset)."),
]
FromDate = Annotated[
    IsoDate | None,
    Query(alias="from", description="First local date (inclusive); default: 29 days before `to`."),
]
ToDate = Annotated[
    IsoDate | None,
    Query(alias="to", description="Last local date (inclusive); default: today, in your zone."),
]
