from pydantic import EmailStr, Field

from app.schemas import StrictModel


class TokenResponse(StrictModel):
    access_token: str
    token_type: str = Field(default="bearer", examples=["bearer"])
    expires_in: int = Field(description="Seconds until the access token expires.", examples=[900])
    refresh_token: str
    refresh_expires_in: int = Field(
        description="Seconds until the refresh token expires if unused.", examples=[2592000]
    )


class RefreshRequest(StrictModel):
    refresh_token: str = Field(min_length=1, max_length=200)


class ActivationRequest(StrictModel):
    email: EmailStr = Field(examples=["sam@example.org"])
    activation_code: str = Field(min_length=1, max_length=64, examples=["ABCD-EFGH-JKMN"])
    password: str = Field(
        min_length=1,
        max_length=4096,
        description=(
            "At least 15 characters; any Unicode; common or guessable passwords are refused."
        ),
        examples=["a quiet walk along the river at dawn"],
    )


class PasswordChange(StrictModel):
    current_password: str = Field(min_length=1, max_length=4096)
    new_password: str = Field(min_length=1, max_length=4096)
