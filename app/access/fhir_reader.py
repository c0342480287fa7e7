"""The way in to a participant's FHIR resources: one route, three kinds of caller.

A person's access token reaches the participant themself (their own id only) and their care
team (primary clinician, and backup while covering); an integration's client token reaches
a participant who consents to it now, with `fhir.read` (else 403). Anyone else, and an
unknown id, is the same 404."""

import uuid
from typing import Annotated

from fastapi import Depends, Path, Request, Security

from app.access.consented import integration_scope
from app.access.scope import ParticipantScope
from app.access.ways_in import clinician_scope, own_scope, participant_not_found
from app.auth.client_tokens import client_scheme, get_client_identity, is_client_token
from app.auth.dependencies import get_identity, oauth2_scheme
from app.config import SettingsDep
from app.db import SessionDep
from app.users.models import Role

FHIR_SCOPE = "fhir.read"


async def get_fhir_participant(
    request: Request,
    participant_id: Annotated[
        uuid.UUID,
        Path(
            description="Your own id (participant); a participant assigned to you or whom "
            "you cover (clinician); a participant who consents to your integration "
            "(client token with `fhir.read`). Any other id is `404`."
        ),
    ],
    session: SessionDep,
    settings: SettingsDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
    authorization: Annotated[str | None, Security(client_scheme, scopes=[FHIR_SCOPE])],
) -> ParticipantScope:
    if token and is_client_token(settings, token):
        client = await get_client_identity(request, session, settings, authorization)
        return await integration_scope(session, client, participant_id, [FHIR_SCOPE])
    identity = await get_identity(request, session, token)
    if identity.user.role is Role.participant and identity.user.id == participant_id:
        return own_scope(identity)
    if identity.user.role is Role.clinician:
        return await clinician_scope(session, identity, participant_id)
    raise participant_not_found()


FhirParticipant = Annotated[ParticipantScope, Depends(get_fhir_participant)]
