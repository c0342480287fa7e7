"""Unknown query parameters are `422`, like unknown body fields.

Silently ignoring `?tag=work` on a route that has no `tag` lets an integrator believe they
filtered. Every route's declared query parameters (its own and its dependencies') are read
once, from FastAPI's own view of the route, and compared with what the request sent."""

from fastapi import Request
from fastapi.dependencies.utils import get_flat_params
from fastapi.exceptions import RequestValidationError
from fastapi.params import Query
from fastapi.routing import APIRoute

_DECLARED: dict[int, frozenset[str]] = {}


def _declared_query_names(route: APIRoute) -> frozenset[str]:
    names = _DECLARED.get(id(route))
    if names is None:
        names = frozenset(
            field.alias
            for field in get_flat_params(route.dependant)
            if isinstance(field.field_info, Query)
        )
        _DECLARED[id(route)] = names
    return names


async def reject_unknown_query_parameters(request: Request) -> None:
    """An app-wide dependency: a query parameter the route does not declare is `422`."""
    if not request.scope.get("query_string"):
        return
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    unknown = sorted(set(request.query_params) - _declared_query_names(route))
    if unknown:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", name),
                    "msg": "Unknown query parameter",
                    "type": "extra_forbidden",
                }
                for name in unknown
            ]
        )
