"""Sign-in, token refresh, activation, sign-out and password change."""

from typing import Annotated

from fastapi import APIRouter, Form, Header, Response, status

from app.auth import credentials, service
from app.auth.clients import ClientToken, InvalidClient, InvalidClientRequest, InvalidScope
from app.auth.dependencies import ClientDep, CurrentIdentity
from app.auth.passwords import HashingBusy
from app.auth.schemas import (
    ActivationRequest,
    ClientTokenResponse,
    RefreshRequest,
    TokenRequest,
    TokenResponse,
)
from app.config import SettingsDep
from app.db import SessionDep
from app.errors import (
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    ServiceUnavailable,
    TooManyRequests,
)
from app.middleware import BodyTooLarge, UnsupportedMediaType
from app.openapi import problem_responses

router = APIRouter(tags=["auth"])

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def token_example(model: type[TokenResponse] | type[ClientTokenResponse]) -> object:
    extra = model.model_config.get("json_schema_extra")
    assert isinstance(extra, dict)  # noqa: S101 - each states its examples
    examples = extra["examples"]
    assert isinstance(examples, list)  # noqa: S101
    return examples[0]


def _any_token_response(
    granted: service.TokenPair | ClientToken, response: Response
) -> TokenResponse | ClientTokenResponse:
    if isinstance(granted, service.TokenPair):
        return _token_response(granted, response)
    response.headers.update(NO_STORE)
    return ClientTokenResponse(
        access_token=granted.access_token, expires_in=granted.expires_in, scope=granted.scope
    )


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
    response_model=TokenResponse | ClientTokenResponse,
    operation_id="signIn",
    summary="Sign in, refresh, or get an integration's client token",
    responses={
        200: {
            "content": {
                "application/json": {
                    "examples": {
                        "tokenPair": {
                            "summary": "Password or refresh grant: a token pair",
                            "value": token_example(TokenResponse),
                        },
                        "clientToken": {
                            "summary": "Client credentials grant: an integration's token",
                            "value": token_example(ClientTokenResponse),
                        },
                    }
                }
            }
        },
        **problem_responses(
            InvalidClientRequest,
            InvalidScope,
            NotAuthenticated,
            InvalidClient,
            BodyTooLarge,
            InvalidInput,
            TooManyRequests,
            ServiceUnavailable,
            HashingBusy,
        ),
    },
)
async def sign_in(
    form: Annotated[TokenRequest, Form()],
    session: SessionDep,
    settings: SettingsDep,
    client: ClientDep,
    response: Response,
    authorization: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> TokenResponse | ClientTokenResponse:
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
    `"error": "invalid_grant"` besides the problem members.

    `grant_type=client_credentials` (RFC 6749 section 4.4) is for integration clients:
    authenticate with HTTP Basic (`client_id:client_secret`, each form-encoded) or with
    `client_id` and `client_secret` in the form, not both (`400` `invalid_request`). The
    answer is a 15-minute bearer token for `/v1/integration/…` with the `scope` granted (all
    the client's scopes unless `scope` asks for fewer) and no refresh token: ask again when
    it expires. An unknown client, a wrong secret and a deactivated client get the same
    `401` `invalid_client` with `WWW-Authenticate: Basic`; a scope the client was not
    granted is `400` `invalid_scope`. These carry RFC 6749's `error` and
    `error_description` besides the problem members. Attempts are counted per client id
    and per address like sign-ins (`429` with `Retry-After`)."""
    granted = await credentials.grant_tokens(session, settings, client, form, authorization)
    return _any_token_response(granted, response)


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
    responses=problem_responses(NotAuthenticated, Forbidden, ServiceUnavailable),
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
