"""The admin's support-contacts form, read into the `SupportUpdate` that
`PUT /v1/admin/support-resources` takes (so it is validated the same way)."""

from typing import Any

from starlette.datastructures import FormData

from app.support.schemas import SupportUpdate

RESOURCE_FIELDS = (
    "name",
    "description",
    "country",
    "phone",
    "sms",
    "url",
    "hours",
    "source_url",
    "verified_at",
)
# One fieldset more than the limit may be sent: the schema's limit then answers, as in the API.
MAX_SENT = 11


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _resource(form: FormData, index: int) -> dict[str, Any] | None:
    """Contact `index` of the form; None when removed or left blank (the empty new one)."""
    prefix = f"r{index}-"
    values = {field: _text(form, prefix + field) for field in RESOURCE_FIELDS}
    if _text(form, prefix + "remove") or not any(values.values()):
        return None
    return {field: value or None for field, value in values.items()}


def support_update_from(form: FormData) -> SupportUpdate:
    """The message and the contacts kept, in the form's order; invalid: `ValidationError`."""
    resources = [
        resource for index in range(MAX_SENT) if (resource := _resource(form, index)) is not None
    ]
    return SupportUpdate.model_validate({"message": _text(form, "message"), "resources": resources})
