"""Rendering: Jinja2 templates with autoescape on, and the console's fixed messages."""

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.console.formats import trend, when
from app.console.sessions import CSRF_FIELD, ConsoleSession

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.globals.update(when=when, trend=trend)

# What a redirect after a form may say (`?done=<key>`): fixed texts, never user input.
DONE_MESSAGES = {
    "acknowledged": "The alert is acknowledged.",
    "resolved": "The alert is resolved.",
    "reviewed": "Everything up to now is marked reviewed.",
    "noted": "The note is saved.",
    "scheduled": "The questionnaire schedule is updated.",
    "deactivated": "The account is deactivated; its sessions have ended.",
    "reactivated": "The account is active again.",
    "assigned": "The care team is updated.",
    "rules": "The alert rules are updated.",
    "support": "The support contacts are updated.",
    "pending": "Another admin must approve this before it takes effect.",
    "signed-out": "You are signed out.",
}


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    console: ConsoleSession | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """A page: the template with the signed-in user, their CSRF token and any message."""
    done = request.query_params.get("done")
    page = {
        "user": console.identity.user if console else None,
        "csrf_field": CSRF_FIELD,
        "csrf_token": console.csrf_token if console else "",
        "message": DONE_MESSAGES.get(done or ""),
        "path": request.url.path,
        "request_id": getattr(request.state, "request_id", None),
        **(context or {}),
    }
    html = environment.get_template(template).render(page)
    return HTMLResponse(html, status_code=status_code, headers=headers)
