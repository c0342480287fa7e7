"""Query and path parameters of the assessment lists and schedules (participant and clinician)."""

import uuid
from typing import Annotated

from fastapi import Path, Query

from app.assessments.schemas import InstrumentKey
from app.schemas import Rfc3339DateTime

InstrumentQuery = Annotated[
    InstrumentKey | None, Query(description="Only assessments of this instrument.")
]
FromInstant = Annotated[
    Rfc3339DateTime | None,
    Query(
        alias="from", description="Assessments completed at or after this instant (with offset)."
    ),
]
ToInstant = Annotated[
    Rfc3339DateTime | None,
    Query(alias="to", description="Assessments completed before this instant (with offset)."),
]
AssessmentId = Annotated[uuid.UUID, Path(description="The assessment's id.")]
InstrumentPath = Annotated[InstrumentKey, Path(description="`phq-9`, `phq-8`, `gad-7` or `who-5`.")]
