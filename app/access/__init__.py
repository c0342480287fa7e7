"""The one door to participant data: scopes, and the statements built from them.

A `ParticipantScope` says whose data a request may reach and who is reading. It is made
only here (`ways_in`): for the participant themself, for the clinician who is the
participant's primary clinician now, for their backup clinician while covering an
escalated alert, and for an integration the participant consents to (`consented`).

Every statement on a participant-owned table (`app.db.participant_owned_tables`) is built
from a scope (or a clinician's caseload) and carries the scope's mark; the test suite
checks the mark on every statement the app executes (tests/test_one_door.py). Out of scope
is simply "no row", which services turn into 404.
"""

from app.access.consented import (
    AlertsConsent,
    AssessmentsConsent,
    Consenting,
    ConsentingDep,
    EntriesConsent,
)
from app.access.fhir_reader import FHIR_SCOPE, FhirParticipant
from app.access.scope import (
    CONTENT_FREE,
    SCOPE_PARTICIPANT,
    Caseload,
    Oversight,
    ParticipantScope,
    Reader,
    Sweep,
    scoped_template,
)
from app.access.ways_in import (
    COVERING,
    AssignedParticipant,
    CaseloadDep,
    OversightDep,
    OwnJournal,
    PrimaryClinicianOnly,
    PrimaryParticipant,
    caseload_of,
    clinician_scope,
    oversight_of,
    own_scope,
    sweep_for,
)

__all__ = [
    "CONTENT_FREE",
    "COVERING",
    "FHIR_SCOPE",
    "SCOPE_PARTICIPANT",
    "AlertsConsent",
    "AssessmentsConsent",
    "AssignedParticipant",
    "Caseload",
    "CaseloadDep",
    "Consenting",
    "ConsentingDep",
    "EntriesConsent",
    "FhirParticipant",
    "Oversight",
    "OversightDep",
    "OwnJournal",
    "ParticipantScope",
    "PrimaryClinicianOnly",
    "PrimaryParticipant",
    "Reader",
    "Sweep",
    "caseload_of",
    "clinician_scope",
    "oversight_of",
    "own_scope",
    "scoped_template",
    "sweep_for",
]
