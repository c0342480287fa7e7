"""CORS from an explicit allow-list, with refused preflights answered as problem+json."""

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from app.errors import problem_response


class ProblemCORSMiddleware(CORSMiddleware):
    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        detail = bytes(response.body).decode() or "Disallowed CORS request"
        return problem_response(response.status_code, f"{detail}.", code="cors-refused")
