"""One spelling per e-mail address, the same at account creation and at every look-up."""

import unicodedata

from email_validator import validate_email


def normalize_email(email: str) -> str:
    """The stored form of an address: what `email-validator` makes of it (local part in
    NFC, domain through IDNA back to Unicode, so `xn--` and Unicode spellings agree), then
    lower-cased. Account creation stores this form; sign-in, activation and the throttle
    key look it up in the same form, so that an NFD or punycode spelling of an address
    finds its account.

    Something that is not an address cannot belong to an account; it still gets a fixed
    form (NFC, trimmed, lower-cased) so that its failed attempts share one throttle key."""
    candidate = email.strip()
    try:
        candidate = validate_email(candidate, check_deliverability=False).normalized
    except ValueError:  # EmailNotValidError, and IDNA's UnicodeError, are ValueErrors
        candidate = unicodedata.normalize("NFC", candidate)
    return candidate.lower()
