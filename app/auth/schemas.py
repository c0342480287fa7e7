from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field
from pydantic.config import JsonDict

from app.schemas import NO_NUL, NoNulStr, StrictModel, not_nullable

STRENGTH_RULES = (
    "At least 15 characters; any Unicode; common or guessable passwords (and ones built from "
    "the e-mail address or name) are refused with `422`."
)


def _form_text(schema: JsonDict) -> None:
    """A form field that is absent or text: a form cannot send `null`."""
    not_nullable(schema)
    schema.update(NO_NUL)


GrantType = Literal["password", "refresh_token", "client_credentials"]
REFRESH_TOKEN_EXAMPLE = "rt_Q2h5vN8kL0pX7mZ4tR1yW6sB9dF3gJ5aC8eH2uK7nM0"  # noqa: S105
CLIENT_ID_EXAMPLE = "3f2b8c1e-7a4d-4e9b-8c2f-1d0e5a6b7c8d"
CLIENT_SECRET_EXAMPLE = "ics_x7Kq2mN9pL4vR8tY1wZ5bC3dF6gH0jA2sE4uI7oP9kM"  # noqa: S105


class TokenRequest(BaseModel):
    """The form of `POST /v1/auth/token` (RFC 6749): the password grant (section 4.3), the
    refresh grant (section 6) or an integration's client credentials grant (section 4.4).
    Parameters the grant does not use are ignored, as RFC 6749
    section 3.1 asks (the docs' Authorize button sends an empty `scope`)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "grant_type": "password",
                    "username": "sam@example.org",
                    "password": "a quiet walk along the river at dawn",
                },
                {"grant_type": "refresh_token", "refresh_token": REFRESH_TOKEN_EXAMPLE},
                {
                    "grant_type": "client_credentials",
                    "client_id": CLIENT_ID_EXAMPLE,
                    "client_secret": CLIENT_SECRET_EXAMPLE,
                    "scope": "entries.read assessments.read",
                },
            ]
        }
    )

    grant_type: GrantType = Field(
        default="password",
        description="`password` (the default: e-mail and password), `refresh_token`, or "
        "`client_credentials` (an integration client).",
    )
    username: NoNulStr | None = Field(
        default=None,
        max_length=320,
        description="The account's e-mail (password grant).",
        examples=["sam@example.org"],
        json_schema_extra=_form_text,
    )
    password: NoNulStr | None = Field(
        default=None,
        max_length=4096,
        description="The account's password (password grant).",
        examples=["a quiet walk along the river at dawn"],
        json_schema_extra=_form_text,
    )
    refresh_token: NoNulStr | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="The `refresh_token` of the last token pair (refresh grant).",
        examples=[REFRESH_TOKEN_EXAMPLE],
        json_schema_extra=_form_text,
    )
    client_id: NoNulStr | None = Field(
        default=None,
        max_length=100,
        description="The integration's client id (client credentials grant, unless sent with "
        "HTTP Basic).",
        examples=[CLIENT_ID_EXAMPLE],
        json_schema_extra=_form_text,
    )
    client_secret: NoNulStr | None = Field(
        default=None,
        max_length=200,
        description="The integration's client secret (client credentials grant, unless sent "
        "with HTTP Basic).",
        examples=[CLIENT_SECRET_EXAMPLE],
        json_schema_extra=_form_text,
    )
    scope: NoNulStr | None = Field(
        default=None,
        max_length=200,
        description="Client credentials grant: the scopes wanted, space-separated, each granted "
        "to the client (all of them when absent). Ignored by the other grants: a person's "
        "token carries their account's role.",
        json_schema_extra=_form_text,
    )


class TokenResponse(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI4ZDZmIn0.c2ln",
                    "token_type": "bearer",
                    "expires_in": 900,
                    "refresh_token": REFRESH_TOKEN_EXAMPLE,
                    "refresh_expires_in": 2592000,
                }
            ]
        }
    )

    access_token: str
    token_type: str = Field(default="bearer", examples=["bearer"])
    expires_in: int = Field(description="Seconds until the access token expires.", examples=[900])
    refresh_token: str
    refresh_expires_in: int = Field(
        description="Seconds until the refresh token expires if unused.", examples=[2592000]
    )


class ClientTokenResponse(StrictModel):
    """An integration's token (client credentials): no refresh token; ask again for another."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIzZjJiIn0.c2ln",
                    "token_type": "Bearer",
                    "expires_in": 900,
                    "scope": "entries.read assessments.read",
                }
            ]
        }
    )

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the token type, RFC 6750
    expires_in: int = Field(description="Seconds until the access token expires.", examples=[900])
    scope: str = Field(
        description="The scopes granted, space-separated.", examples=["entries.read"]
    )


class RefreshRequest(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"refresh_token": REFRESH_TOKEN_EXAMPLE}]}
    )

    refresh_token: str = Field(
        min_length=1,
        max_length=200,
        description="The `refresh_token` of the last token pair; each works once.",
        json_schema_extra=NO_NUL,
    )


class ActivationRequest(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "email": "sam@example.org",
                    "activation_code": "ABCD-EFGH-JKMN",
                    "password": "a quiet walk along the river at dawn",
                }
            ]
        }
    )

    email: EmailStr = Field(
        description="The account's e-mail address.", examples=["sam@example.org"]
    )
    activation_code: str = Field(
        min_length=1,
        max_length=64,
        description="The one-time code from an admin; case, spaces and dashes do not matter.",
        examples=["ABCD-EFGH-JKMN"],
        json_schema_extra=NO_NUL,
    )
    password: str = Field(
        min_length=1,
        max_length=4096,
        description=STRENGTH_RULES,
        examples=["a quiet walk along the river at dawn"],
        json_schema_extra=NO_NUL,
    )


class PasswordChange(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "current_password": "a quiet walk along the river at dawn",
                    "new_password": "seven lanterns drift over the harbour",
                }
            ]
        }
    )

    current_password: str = Field(
        min_length=1,
        max_length=4096,
        description="A wrong one counts as a failed sign-in (`422`, then `429`).",
        examples=["a quiet walk along the river at dawn"],
        json_schema_extra=NO_NUL,
    )
    new_password: str = Field(
        min_length=1,
        max_length=4096,
        description=STRENGTH_RULES,
        examples=["seven lanterns drift over the harbour"],
        json_schema_extra=NO_NUL,
    )
