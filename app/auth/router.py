"""Sign-in, token refresh, activation, sign-out and password change."""

from typing import Annotated

from fastapi import APIRouter, Form, Response, status

from app.auth import credentials, service
from app.auth.dependencies import ClientDep, CurrentIdentity
from app.auth.passwords import HashingBusy
from app.auth.schemas import (
    ActivationRequest,
    RefreshRequest,
    TokenRequest,
    TokenResponse,
)
from app.config import SettingsDep
from app.db import SessionDep
from app.errors import InvalidInput, NotAuthenticated, ServiceUnavailable, TooManyRequests
from app.middleware import BodyTooLarge, UnsupportedMediaType
from app.openapi import problem_responses

router = APIRouter(tags=["auth"])

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _token_response(pair: service.TokenPair, response: Response) -> TokenResponse:
    response.headers.update(NO_STORE)
    return TokenResponse(
        access_token=pair.access_token,
        expires_in=pair.expires_in,
        refresh_token=pair.refresh_token,
        refresh_expires_in=pair.refresh_expires_in,
    )


@router.post(
    "/v1/auth/token",
    response_model=TokenResponse,
    operation_id="signIn",
    summary="Sign in with e-mail and password, or refresh",
    responses=problem_responses(
        NotAuthenticated,
        BodyTooLarge,
        InvalidInput,
        TooManyRequests,
        ServiceUnavailable,
        HashingBusy,
    ),
)
async def sign_in(
    form: Annotated[TokenRequest, Form()],
    session: SessionDep,
    settings: SettingsDep,
    client: ClientDep,
    response: Response,
) -> TokenResponse:
    """OAuth2 password grant (form-encoded, `grant_type=password` or none), as used by the
    docs' Authorize button. Returns a short-lived access token (send it as
    `Authorization: Bearer <token>`) and a refresh token. An unknown e-mail, a wrong
    password and a deactivated account all get the same `401`.

    The e-mail matches in any spelling of the same address (case, Unicode composition, an
    `xn--` or Unicode domain). After 10 failures for one e-mail within 15 minutes, or too
    many from one address, the answer is `429` with `Retry-After`, even for the right
    password; attempts are counted as they arrive, so simultaneous guesses cannot overrun
    the limit. When too many sign-ins are being checked at once, the answer is `503` with
    `Retry-After` (nothing was checked or counted: retry).

    `grant_type=refresh_token` with `refresh_token` is the standard OAuth2 refresh (RFC 6749
    section 6), the same as `POST /v1/auth/refresh`. A refused grant carries
    `"error": "invalid_grant"` besides the problem members."""
    pair = await credentials.grant_tokens(session, settings, client, form)
    return _token_response(pair, response)


@router.post(
    "/v1/auth/refresh",
    response_model=TokenResponse,
    operation_id="refreshTokens",
    summary="Exchange a refresh token for a new token pair",
    responses=problem_responses(
        NotAuthenticated, BodyTooLarge, UnsupportedMediaType, InvalidInput, ServiceUnavailable
    ),
)
async def refresh_tokens(
    body: RefreshRequest,
    session: SessionDep,
    settings: SettingsDep,
    client: ClientDep,
    response: Response,
) -> TokenResponse:
    """Refresh tokens rotate: each works once, and the answer carries the next one. Presenting
    a used one again ends the whole session (a sign of token theft): sign in again.

    One exception, for networks that lose answers: the token just rotated, presented again
    within `JOURNAL_REFRESH_REUSE_GRACE_SECONDS` (default 30) while the pair it was
    exchanged for is still unused, gets that same pair again. Later, or once the new refresh
    token has been used, it ends the session."""
    pair = await service.refresh_session(session, settings, client, body.refresh_token)
    return _token_response(pair, response)


@router.post(
    "/v1/auth/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="signOut",
    summary="End this session",
    responses=problem_responses(NotAuthenticated, ServiceUnavailable),
)
async def sign_out(identity: CurrentIdentity, session: SessionDep) -> None:
    """The session's access and refresh tokens stop working on the next request (`401`).
    Other sessions of the account are not affected."""
    await service.end_session(session, identity)


@router.post(
    "/v1/auth/activate",
    response_model=TokenResponse,
    operation_id="activateAccount",
    summary="Set a password with a one-time activation code",
    responses=problem_responses(
        NotAuthenticated,
        BodyTooLarge,
        UnsupportedMediaType,
        InvalidInput,
        TooManyRequests,
        ServiceUnavailable,
        HashingBusy,
    ),
)
async def activate_account(
    body: ActivationRequest,
    session: SessionDep,
    settings: SettingsDep,
    client: ClientDep,
    response: Response,
) -> TokenResponse:
    """A new account (or one given a fresh code) sets its password and is signed in: the
    answer is a token pair, as from `POST /v1/auth/token`. The code works once; a wrong or
    expired code is `401` and counts as a failed sign-in (`429` after too many). A weak
    password is `422` and leaves the code usable. Any earlier sessions of the account end."""
    pair = await credentials.activate_account(
        session, settings, client, body.email, body.activation_code, body.password
    )
    return _token_response(pair, response)
