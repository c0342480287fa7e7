"""How the console writes an instant and a trend: plain functions, called from every page
(a Jinja macro costs ten times as much, and the caseload calls these 600 times). What they
write is digits, an ISO instant and fixed words: nothing in it can need escaping, so it is
joined as text rather than through `Markup.format` (a third of the caseload's rendering)."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from markupsafe import Markup
from pydantic import BaseModel

NEVER = Markup('<span class="muted">never</span>')
NO_ENTRIES = Markup('<span class="muted">no entries</span>')


def when(moment: datetime | None) -> Markup:
    """An instant in UTC, machine-readable in `datetime`; "never" for none."""
    if moment is None:
        return NEVER
    return Markup(  # noqa: S704 - an ISO instant and digits
        f'<time datetime="{moment.isoformat()}">{moment:%Y-%m-%d %H:%M} UTC</time>'
    )


def trend(figures: Mapping[str, Any] | BaseModel) -> Markup:
    """A dimension's 7-day mean and its change against the 28 days before, in words."""
    if isinstance(figures, BaseModel):
        figures = figures.model_dump()
    mean, change = figures["mean_7d"], figures["change"]
    if mean is None:
        return NO_ENTRIES
    text = f"{float(mean):.1f}"
    if change is None:
        return Markup(text)  # noqa: S704 - digits
    change = round(float(change), 1)
    if change > 0:
        direction = f"&#8593; up {change:.1f}"
    elif change < 0:
        direction = f"&#8595; down {-change:.1f}"
    else:
        direction = "&#8594; no change"
    return Markup(  # noqa: S704 - digits and fixed words
        f'{text} <span class="change">({direction} vs prior 28 days)</span>'
    )
