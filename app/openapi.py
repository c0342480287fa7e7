"""How the OpenAPI document describes responses: examples and error documentation."""

from typing import Any


def json_example(value: object) -> dict[str, Any]:
    """A response's `application/json` example, for `responses=`."""
    return {"content": {"application/json": {"example": value}}}
