"""Display names: one set of rules for every input that sets one (PATCH /v1/me, admin create
and change of an account), checked over HTTP."""

import re
import unicodedata
import uuid
from typing import Any

import httpx
import pytest

from app.users.models import Role
from tests.conftest import Account, Accounts

# Characters that make a name misleading or invisible (Unicode Cc, Cf, separators, fillers).
INVISIBLE_OR_CONTROL = {
    "DEL": "Sam\x7f",
    "C1 control (NEL)": "Sam\x85",
    "C1 control (CSI)": "Sam\x9b1m",
    "zero-width space only": "\u200b",
    "zero-width space inside": "Sam\u200bKay",
    "right-to-left override": "\u202eSam",
    "left-to-right embedding": "\u202aSam",
    "first-strong isolate": "Sam \u2068x\u2069",
    "byte order mark": "\ufeffSam",
    "soft hyphen": "Sa\xadm",
    "line separator": "Sam\u2028Kay",
    "tag character (outside the BMP)": "Sam\U000e0041",
    "ZWJ inside a Latin word": "Ad\u200dmin",
    "ZWNJ at the start": "\u200cSam",
    "ZWJ in an emoji sequence": "\U0001f469\u200d\u2695\ufe0f",
    "Hangul filler": "\u3164",
    "blank Braille cell": "Sam\u2800",
}
BLANK_LOOKING = {
    "spaces": "   ",
    "no-break and ideographic spaces": "\xa0\u3000",
    "a variation selector alone": "\ufe0f",
}
# Names the service shows in place of a person's, and their lookalikes.
RESERVED = {
    "exact": "administrator",
    "trailing space": "Administrator ",
    "upper case": "ADMINISTRATOR",
    "full width": "\uff21\uff44\uff4d\uff49\uff4e\uff49\uff53\uff54\uff52\uff41\uff54\uff4f\uff52",
    "Cyrillic A": "\u0410dministrator",
    "accented": "A\u0300dministrator",
    "erased, spaced out": "Erased   Participant",
    "covering clinician": "COVERING clinician",
    "recovery code": "Recovery Code",
}
# Scripts that need a joiner inside a word: Persian ZWNJ (nik-nam), Sinhala ZWJ after the
# virama (Sri), Devanagari ZWJ (half form of ka before ssa).
JOINERS_THAT_BELONG = {
    "Persian ZWNJ": "\u0646\u06cc\u06a9\u200c\u0646\u0627\u0645",
    "Sinhala ZWJ after virama": "\u0dc1\u0dca\u200d\u0dbb\u0dd3",
    "Devanagari ZWJ": "\u0915\u094d\u200d\u0937",
}


async def _patch_me(client: httpx.AsyncClient, account: Account, name: str) -> httpx.Response:
    return await client.patch("/v1/me", json={"display_name": name}, headers=account.headers)


def _display_name_error(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    (error,) = response.json()["errors"]
    assert error["field"] == "body.display_name"
    return dict(error)


def _cases(names: dict[str, str], code: str) -> list[Any]:
    return [pytest.param(name, code, id=label) for label, name in names.items()]


@pytest.mark.parametrize(
    ("name", "code"),
    [
        *_cases(INVISIBLE_OR_CONTROL, "display_name_invisible_character"),
        *_cases(BLANK_LOOKING, "display_name_blank"),
        *_cases(RESERVED, "display_name_reserved"),
    ],
)
async def test_me_refuses_misleading_display_names_and_keeps_the_old_one(
    client: httpx.AsyncClient, accounts: Accounts, name: str, code: str
) -> None:
    clinician = await accounts.make(Role.clinician, display_name="Dr. Ada")

    error = _display_name_error(await _patch_me(client, clinician, name))

    assert error["code"] == code
    me = await client.get("/v1/me", headers=clinician.headers)
    assert me.json()["display_name"] == "Dr. Ada"


@pytest.mark.parametrize("name", list(JOINERS_THAT_BELONG.values()), ids=list(JOINERS_THAT_BELONG))
async def test_joiners_inside_words_of_scripts_that_need_them_are_kept(
    client: httpx.AsyncClient, accounts: Accounts, name: str
) -> None:
    participant = await accounts.make(Role.participant)

    response = await _patch_me(client, participant, name)

    assert response.status_code == 200, response.text
    assert response.json()["display_name"] == name


async def test_names_are_trimmed_and_stored_in_nfc(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    participant = await accounts.make(Role.participant)

    response = await _patch_me(client, participant, "  Zoe\u0308 Kay  ")  # e + combining umlaut

    assert response.json()["display_name"] == "Zo\u00eb Kay"


async def test_a_name_that_normalisation_lengthens_past_the_limit_is_422_not_500(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    participant = await accounts.make(Role.participant, display_name="Sam")

    # U+0958 (Devanagari qa) is a composition exclusion: NFC makes two characters of it.
    error = _display_name_error(await _patch_me(client, participant, "\u0958" * 100))

    assert error["code"] == "string_too_long"


@pytest.mark.parametrize(
    "name", [INVISIBLE_OR_CONTROL["right-to-left override"], RESERVED["upper case"]]
)
async def test_admin_create_refuses_the_same_names_and_creates_nothing(
    client: httpx.AsyncClient, accounts: Accounts, name: str
) -> None:
    admin = await accounts.make(Role.admin)
    users_before = await accounts.count("users")
    body = {"email": f"new-{uuid.uuid4().hex[:8]}@example.org", "role": "clinician"}

    response = await client.post(
        "/v1/admin/users", json={**body, "display_name": name}, headers=admin.headers
    )

    _display_name_error(response)
    assert await accounts.count("users") == users_before


@pytest.mark.parametrize("name", [INVISIBLE_OR_CONTROL["zero-width space only"], "Administrator"])
async def test_admin_rename_refuses_the_same_names_and_changes_nothing(
    client: httpx.AsyncClient, accounts: Accounts, name: str
) -> None:
    admin = await accounts.make(Role.admin)
    clinician = await accounts.make(Role.clinician, display_name="Dr. Ada")

    response = await client.patch(
        f"/v1/admin/users/{clinician.id}", json={"display_name": name}, headers=admin.headers
    )

    _display_name_error(response)
    rows = await accounts.sql("SELECT display_name FROM users WHERE email = :e", e=clinician.email)
    assert rows == [("Dr. Ada",)]


async def test_the_documented_pattern_refuses_every_control_and_format_character_of_the_bmp(
    client: httpx.AsyncClient,
) -> None:
    """The OpenAPI twin of the rules: a generator that follows the document never produces a
    name with a character the server refuses (the pattern leaves out the joiners too)."""
    document = (await client.get("/openapi.json")).json()
    update = document["components"]["schemas"]["MeUpdate"]["properties"]["display_name"]
    pattern = next(option["pattern"] for option in update["anyOf"] if "pattern" in option)
    refused = [
        chr(point)
        for point in range(0x10000)
        # Not Cs: a lone surrogate is no text at all (the JSON parser refuses it first).
        if unicodedata.category(chr(point)) in {"Cc", "Cf", "Zl", "Zp"}
    ]

    assert [f"U+{ord(c):04X}" for c in refused if re.fullmatch(pattern, f"a{c}b")] == []
    assert re.fullmatch(pattern, "Dr. Ada Okafor")
    assert not re.fullmatch(pattern, " \u3000 ")
