"""How the OpenAPI document describes responses: examples, and every error a route can give.

A route lists the error classes it can raise (`problem_responses(NotAuthenticated, …)`);
each class knows its status, stable code, title and an example, so the document names every
code a route can answer with, under the one media type errors are sent as."""

from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from app.config import Settings
from app.errors import PROBLEM_MEDIA_TYPE, TYPE_BASE, Documented, Problem

_RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again.",
        "required": True,
        "schema": {"type": "string"},
        "example": "5",
    }
}
# Headers that always come with a status.
STATUS_HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {
            "description": "`Bearer`: send a valid access token (sign in or refresh first).",
            "required": True,
            "schema": {"type": "string"},
            "example": "Bearer",
        }
    },
    412: {
        "ETag": {
            "description": "The entry's current version.",
            "required": True,
            "schema": {"type": "string"},
            "example": '"4"',
        }
    },
    429: _RETRY_AFTER,
    503: _RETRY_AFTER,
}
_VALIDATION_ERRORS = [
    {
        "field": "body.mood",
        "message": "Input should be less than or equal to 10",
        "code": "less_than_equal",
    }
]
# Examples whose text states a setting (`{max_body_bytes}`), by code: filled in by
# `describe_limits` with the settings the app is built with (the committed snapshot shows
# the defaults). One example object per code, shared by every route that documents it.
_LIMIT_EXAMPLES: dict[str, tuple[str, dict[str, Any]]] = {}


def json_example(value: object) -> dict[str, Any]:
    """A response's `application/json` example, for `responses=`."""
    return {"content": {"application/json": {"example": value}}}


def _example(error: type[Documented]) -> dict[str, Any]:
    value: dict[str, Any] = {
        "type": TYPE_BASE + error.code,
        "title": error.title,
        "status": error.status,
        "detail": error.example or error.title,
    }
    if error.status == 422:
        value["errors"] = _VALIDATION_ERRORS
    if "{" in value["detail"]:
        _LIMIT_EXAMPLES.setdefault(error.code, (value["detail"], value))
        value = _LIMIT_EXAMPLES[error.code][1]
    return {"summary": f"{error.title} ({error.code})", "value": value}


def _by_status(errors: Iterable[type[Documented]]) -> dict[int, list[type[Documented]]]:
    grouped: dict[int, list[type[Documented]]] = {}
    for error in errors:
        same = grouped.setdefault(error.status, [])
        if all(known.code != error.code for known in same):
            same.append(error)
    return dict(sorted(grouped.items()))


def problem_responses(*errors: type[Documented]) -> dict[int | str, dict[str, Any]]:
    """The `responses=` entries documenting each error a route can raise, by status: its
    stable codes (listed in the description, one example each), the problem schema, and the
    headers that come with the status. Built afresh on every call: FastAPI writes into them."""
    documented: dict[int | str, dict[str, Any]] = {}
    for status, group in _by_status(errors).items():
        codes = ", ".join(f"`{error.code}`" for error in group)
        documented[status] = {
            "model": Problem,
            "description": f"{HTTPStatus(status).phrase}: {codes}.",
            "content": {
                PROBLEM_MEDIA_TYPE: {
                    "schema": {"$ref": "#/components/schemas/Problem"},
                    "examples": {error.code: _example(error) for error in group},
                }
            },
        }
        if status in STATUS_HEADERS:
            documented[status]["headers"] = dict(STATUS_HEADERS[status])
    return documented


def describe_limits(settings: Settings) -> None:
    """Put the configured limits into the examples that state one."""
    for template, example in _LIMIT_EXAMPLES.values():
        example["detail"] = template.format(max_body_bytes=settings.max_body_bytes)


def drop_json_beside_problems(document: dict[str, Any]) -> None:
    """FastAPI lists `application/json` for every response declared with a `model`, beside
    the media type actually declared (fastapi/fastapi#3122): errors are only ever sent as
    problem+json, so that line is taken out again."""
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                if PROBLEM_MEDIA_TYPE in content:
                    content.pop("application/json", None)
                    content.pop("application/fhir+json", None)  # a route's own response class
