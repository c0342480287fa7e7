"""Input and output types shared by every domain: strict request bodies, RFC 3339 times
and dates, and JSON Schema helpers."""

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
)
from pydantic.config import JsonDict
from pydantic_core import PydanticCustomError


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_contains_nul(item) for item in value)
    return False


class StrictModel(BaseModel):
    """Request bodies reject unknown fields and any string holding a NUL byte
    (PostgreSQL cannot store one; SQLite can, so we refuse it on both)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def reject_nul(cls, value: Any) -> Any:
        if _contains_nul(value):
            raise ValueError("must not contain NUL characters")
        return value


def no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


NoNulStr = Annotated[str, AfterValidator(no_nul)]


# What `format: date` and `format: date-time` (RFC 3339, with an offset) promise, in the years
# 1900 to 2999: pydantic alone would also read Unix timestamps ("0" is 1970-01-01), a space for
# `T` or a `+0100` offset, and years 1 and 9999 overflow once moved to UTC (a 500).
_YEAR_MONTH_DAY = r"(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
_TIME_OFFSET = (
    r"([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])"
)
DATE_PATTERN = rf"^{_YEAR_MONTH_DAY}$"
DATETIME_PATTERN = rf"^{_YEAR_MONTH_DAY}[Tt]{_TIME_OFFSET}$"
# JSON Schema twin of the NUL check every request body makes (see `StrictModel`).
NO_NUL_PATTERN = r"^[^\x00]*$"


def rfc3339_text(value: object) -> object:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not re.fullmatch(DATETIME_PATTERN, value):
        raise PydanticCustomError(
            "datetime_format",
            "must be an RFC 3339 date-time with a UTC offset, in the years 1900 to 2999, "
            "such as 2026-11-20T08:30:00+01:00",
        )
    return value


def iso_date_text(value: object) -> object:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(DATE_PATTERN, value):
        raise PydanticCustomError(
            "date_format", "must be a date as YYYY-MM-DD, in the years 1900 to 2999"
        )
    return value


def not_nullable(schema: JsonDict) -> None:
    """For an optional field whose `None` only means "not sent" (`null` is refused): the
    JSON Schema of the value alone, without the `null` pydantic would allow."""
    variants = schema.pop("anyOf")
    assert isinstance(variants, list)  # noqa: S101 - the schema of `X | None`
    (value_schema,) = [variant for variant in variants if variant != {"type": "null"}]
    assert isinstance(value_schema, dict)  # noqa: S101
    schema.update(value_schema)


def json_number(value: object) -> object:
    """JSON Schema's `number`: not `true` or `"7"` (lax pydantic takes both)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("float_type", "Input should be a valid number")
    return value


def json_integer(value: object) -> object:
    """JSON Schema's `integer`: 7 or 7.0, but not `true` or `"7"` (lax pydantic takes both)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("int_type", "Input should be a valid integer")
    return value


Rfc3339DateTime = Annotated[
    AwareDatetime,
    BeforeValidator(rfc3339_text),
    Field(json_schema_extra={"pattern": DATETIME_PATTERN}),
]
IsoDate = Annotated[
    date, BeforeValidator(iso_date_text), Field(json_schema_extra={"pattern": DATE_PATTERN})
]

# The same check as JSON Schema, for a field given as `json_schema_extra`.
NO_NUL: JsonDict = {"pattern": NO_NUL_PATTERN}
