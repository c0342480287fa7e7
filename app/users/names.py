"""Display names: one type for every input that sets one (`PATCH /v1/me`, admin create and
change of an account), so that the rules cannot differ between routes.

A display name is what other people are shown: a participant sees their clinician's in the
access log, a clinician their participants'. So it must look like what it is:
- no control, format or separator characters (Unicode Cc, Cf, Cs, Zl, Zp): no DEL or C1
  controls, no zero-width spaces, no bidi overrides or isolates that reorder what is shown;
- the two joiners (ZWNJ U+200C, ZWJ U+200D) only where a script needs them: between a letter
  (or the virama or other mark that ends one) and a letter of the same script, in a script
  that uses joiners (Arabic, Persian, the Indic scripts, Sinhala, Khmer, ...). Emoji ZWJ
  sequences and joiners inside Latin, Cyrillic or Greek words are refused;
- not blank-looking: something visible must remain once spaces are trimmed;
- not one of the names the service itself shows (`administrator`, ...), compared after
  NFKC, without accents, case or repeated spaces, and with Cyrillic/Greek lookalikes of Latin
  letters folded, so that `ADMINISTRATOR`, a full-width spelling or one starting with a
  Cyrillic A (U+0410) are refused too.
The stored name is NFC-normalised, with surrounding spaces trimmed.
"""

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

MAX_LENGTH = 100
JOINERS = frozenset("\u200c\u200d")
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# Letters and marks that render as nothing: the Hangul fillers, the blank Braille cell, the
# combining grapheme joiner and the Khmer inherent vowels. Known tools for "invisible" names.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5")
# Variation selectors change the look of the character before them; alone, they show nothing.
_VARIATION_SELECTORS = frozenset(
    [chr(c) for c in range(0xFE00, 0xFE10)] + [chr(c) for c in range(0xE0100, 0xE01F0)]
)
# Scripts whose spelling uses ZWNJ/ZWJ inside words (the first word of a character's name).
_JOINING_SCRIPTS = frozenset(
    {
        *("ARABIC", "SYRIAC", "NKO", "MANDAIC", "MONGOLIAN", "TIBETAN", "KHMER", "MYANMAR"),
        *("DEVANAGARI", "BENGALI", "GURMUKHI", "GUJARATI", "ORIYA", "TAMIL", "TELUGU"),
        *("KANNADA", "MALAYALAM", "SINHALA"),
    }
)
# Names the service shows in place of a person's: accounts must not look like them.
RESERVED_NAMES = ("administrator", "Erased participant", "covering clinician", "recovery code")
# Cyrillic and Greek letters that look like Latin ones, mapped before case folding (Greek
# capital nu, U+039D, looks like N; its small form, U+03BD, like v).
_LOOKALIKES = str.maketrans(
    "АВЕКМНОРСТХІЈЅУаеорсухіјѕԁһӏԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧαοριυνκɑı",
    "ABEKMHOPCTXIJSYaeopcyxijsdhlqwABEZHIKMNOPTYXaopiuvkai",
)


def fold_name(value: str) -> str:
    """The form two names are compared in: compatibility-normalised, without accents,
    joiners, case, lookalike letters or repeated spaces."""
    decomposed = unicodedata.normalize("NFKD", value)
    letters = "".join(
        char
        for char in decomposed
        if not unicodedata.category(char).startswith("M") and char not in JOINERS
    )
    return " ".join(letters.translate(_LOOKALIKES).casefold().split())


_RESERVED_FOLDED = frozenset(fold_name(name) for name in RESERVED_NAMES)


def _script(char: str) -> str:
    return unicodedata.name(char, "").split(" ", 1)[0]


def _joins_letters(value: str, index: int) -> bool:
    """Whether the joiner at `index` sits inside a word of a script that needs joiners."""
    if index == 0 or index + 1 >= len(value):
        return False
    before, after = value[index - 1], value[index + 1]
    if unicodedata.category(before)[0] not in "LM" or unicodedata.category(after)[0] != "L":
        return False
    script = _script(before)
    return script in _JOINING_SCRIPTS and _script(after) == script


def _refused(char: str) -> bool:
    return unicodedata.category(char) in _REFUSED_CATEGORIES or char in _INVISIBLE


def _check_characters(value: str) -> None:
    for index, char in enumerate(value):
        allowed_joiner = char in JOINERS and _joins_letters(value, index)
        if _refused(char) and not allowed_joiner:
            raise PydanticCustomError(
                "display_name_invisible_character",
                "must not contain control, format or invisible characters "
                "(U+{codepoint} at position {position})",
                {"codepoint": f"{ord(char):04X}", "position": index + 1},
            )


def clean_display_name(value: str) -> str:
    """The name as stored (NFC, trimmed), or a `ValueError` naming what is wrong with it.

    The character rules only: `check_display_name` adds the reserved names."""
    _check_characters(value)
    value = unicodedata.normalize("NFC", value).strip()
    if not any(not char.isspace() and char not in _VARIATION_SELECTORS for char in value):
        raise PydanticCustomError("display_name_blank", "must not be blank")
    if len(value) > MAX_LENGTH:  # NFC can lengthen a few characters (e.g. U+0958)
        raise PydanticCustomError(
            "string_too_long", "must have at most {max_length} characters", {"max_length": 100}
        )
    return value


def check_display_name(value: str) -> str:
    """`clean_display_name`, and refused when it looks like a name the service shows."""
    value = clean_display_name(value)
    if fold_name(value) in _RESERVED_FOLDED:
        raise PydanticCustomError(
            "display_name_reserved",
            "is reserved: the service shows it in place of a person's name",
        )
    return value


# Spaces that `strip()` removes and that are not refused characters.
_SPACES = r" \xa0\u1680\u2000-\u200a\u202f\u205f\u3000"
# Refused characters of the Basic Multilingual Plane (the pattern stays ECMA-262 without the
# `u` flag); the few outside it (tags, Egyptian and musical format controls) are refused by
# the server only, as are lone surrogates (no regex engine of JSON Schema validators takes
# them; no UTF-8 text holds them). The joiners are left out: their rule depends on context.
_REFUSED_BMP = (
    r"\x00-\x1f\x7f-\x9f\xad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f"
    r"\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\u2800"
    r"\u3164\ufeff\uffa0\ufff9-\ufffb"
)
# The JSON Schema twin of the character rules: no refused character, and at least one that
# is neither a space nor a variation selector.
DISPLAY_NAME_PATTERN = (
    rf"^[^{_REFUSED_BMP}]*[^{_REFUSED_BMP}{_SPACES}\ufe00-\ufe0f][^{_REFUSED_BMP}]*$"
)

DisplayName = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MAX_LENGTH,
        description=(
            "Shown to other people. Not blank; no control, format or invisible characters "
            "(zero-width joiners only inside words of scripts that need them, such as "
            "Persian or Sinhala); not a name the service uses itself (`administrator`, "
            "`Erased participant`, `covering clinician`, `recovery code`, in any case or "
            "lookalike spelling). Surrounding spaces are trimmed."
        ),
        examples=["Sam"],
        json_schema_extra={"pattern": DISPLAY_NAME_PATTERN},
    ),
    AfterValidator(check_display_name),
]
