from pydantic import ConfigDict, EmailStr, Field
from pydantic.config import JsonDict

from app.journal.schemas import NO_NUL_PATTERN
from app.schemas import StrictModel

NO_NUL: JsonDict = {"pattern": NO_NUL_PATTERN}
STRENGTH_RULES = (
    "At least 15 characters; any Unicode; common or guessable passwords (and ones built from "
    "the e-mail address or name) are refused with `422`."
)


class TokenResponse(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "access_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI4ZDZmIn0.c2ln",
                    "token_type": "bearer",
                    "expires_in": 900,
                    "refresh_token": "rt_Q2h5vN8kL0pX7mZ4tR1yW6sB9dF3gJ5aC8eH2uK7nM0",
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


class RefreshRequest(StrictModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"refresh_token": "rt_Q2h5vN8kL0pX7mZ4tR1yW6sB9dF3gJ5aC8eH2uK7nM0"}]
        }
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
