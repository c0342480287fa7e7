"""Webhook signing secrets (Standard Webhooks: `whsec_` and base64 of the key).

Derived, not stored: HMAC-SHA256 of the endpoint's id and secret version under the
service's signing key. The database holds nothing that signs a webhook, a rotation is a new
version, and the signer (the sweeper, app/sweeper/relay.py) derives the same secret. Changing
`JOURNAL_SECRET_KEY` changes every endpoint's secret (receivers must be told)."""

import base64
import hmac
import uuid

from app.config import Settings


def webhook_secret(settings: Settings, endpoint_id: uuid.UUID, version: int) -> str:
    message = f"webhook-signing-secret:{endpoint_id}:{version}".encode()
    key = hmac.new(settings.signing_key().encode(), message, "sha256").digest()
    return "whsec_" + base64.b64encode(key).decode()
