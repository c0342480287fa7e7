"""The validated instruments: every published text pinned, every band boundary, the flag."""

import httpx
import pytest

from app.instruments.definitions import GAD_7, INSTRUMENTS, PHQ_8, PHQ_9, WHO_5, Instrument
from app.users.models import Role
from tests.conftest import Accounts

FREQUENCY = ["Not at all", "Several days", "More than half the days", "Nearly every day"]
PHQ_9_ITEMS = [
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    "Feeling bad about yourself — or that you are a failure or have let yourself or your "
    "family down",
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
    "being so fidgety or restless that you have been moving around a lot more than usual",
    "Thoughts that you would be better off dead or of hurting yourself in some way",
]
GAD_7_ITEMS = [
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
]
WHO_5_ITEMS = [
    "I have felt cheerful and in good spirits",
    "I have felt calm and relaxed",
    "I have felt active and vigorous",
    "I woke up feeling fresh and rested",
    "My daily life has been filled with things that interest me",
]
WHO_5_OPTIONS = [
    (5, "All of the time"),
    (4, "Most of the time"),
    (3, "More than half of the time"),
    (2, "Less than half of the time"),
    (1, "Some of the time"),
    (0, "At no time"),
]


def test_every_published_text_is_pinned() -> None:
    assert [item.text for item in PHQ_9.items] == PHQ_9_ITEMS
    assert [item.text for item in PHQ_8.items] == PHQ_9_ITEMS[:8]
    assert [item.text for item in GAD_7.items] == GAD_7_ITEMS
    assert [item.text for item in WHO_5.items] == WHO_5_ITEMS
    for instrument in (PHQ_9, PHQ_8, GAD_7):
        assert [(o.value, o.text) for o in instrument.options] == list(enumerate(FREQUENCY))
    assert [(o.value, o.text) for o in WHO_5.options] == WHO_5_OPTIONS
    assert PHQ_9.question == (
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    )
    assert GAD_7.question == (
        "Over the last 2 weeks, how often have you been bothered by the following problems?"
    )


def test_loinc_codes_are_the_published_ones() -> None:
    assert (PHQ_9.loinc_panel, PHQ_9.loinc_total) == ("44249-1", "44261-6")
    assert [item.loinc for item in PHQ_9.items] == [
        "44250-9", "44255-8", "44259-0", "44254-1", "44251-7",
        "44258-2", "44252-5", "44253-3", "44260-8",
    ]  # fmt: skip
    assert (GAD_7.loinc_panel, GAD_7.loinc_total) == ("69737-5", "70274-6")
    assert [item.loinc for item in GAD_7.items] == [
        "69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7",
    ]  # fmt: skip
    assert [o.loinc for o in PHQ_9.options] == ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]


def answers_totalling(instrument: Instrument, total: int) -> list[int]:
    top = max(option.value for option in instrument.options)
    answers = []
    for _ in instrument.items:
        answers.append(min(top, total))
        total -= answers[-1]
    assert total == 0
    return answers


@pytest.mark.parametrize(
    ("instrument", "total", "band"),
    [
        (PHQ_9, 0, "minimal"), (PHQ_9, 4, "minimal"), (PHQ_9, 5, "mild"), (PHQ_9, 9, "mild"),
        (PHQ_9, 10, "moderate"), (PHQ_9, 14, "moderate"), (PHQ_9, 15, "moderately_severe"),
        (PHQ_9, 19, "moderately_severe"), (PHQ_9, 20, "severe"), (PHQ_9, 27, "severe"),
        (PHQ_8, 4, "minimal"), (PHQ_8, 5, "mild"), (PHQ_8, 20, "severe"), (PHQ_8, 24, "severe"),
        (GAD_7, 4, "minimal"), (GAD_7, 5, "mild"), (GAD_7, 9, "mild"), (GAD_7, 10, "moderate"),
        (GAD_7, 14, "moderate"), (GAD_7, 15, "severe"), (GAD_7, 21, "severe"),
        (WHO_5, 7, "low_wellbeing_likely_depression"),  # 28 %
        (WHO_5, 8, "low_wellbeing"),  # 32 %: the first percentage above 28
        (WHO_5, 12, "low_wellbeing"),  # 48 %
        (WHO_5, 13, None),  # 52 %: the first percentage above 50
        (WHO_5, 25, None),
    ],
)  # fmt: skip
def test_band_boundaries(instrument: Instrument, total: int, band: str | None) -> None:
    score = instrument.score(answers_totalling(instrument, total))
    assert (score.total, score.band) == (total, band)


def test_who_5_bands_on_the_percentage_at_28_29_and_50_51() -> None:
    # The raw total moves in steps of 4 %; the band edges are on the percentage itself.
    assert [WHO_5.band_for(raw) for raw in (7, 8)] == [WHO_5.bands[0], WHO_5.bands[1]]  # 28 | 32
    assert WHO_5.bands[0].high == 28 and WHO_5.bands[1].low == 29
    assert WHO_5.bands[1].high == 50 and WHO_5.band_for(13) is None  # 52: above 50
    assert WHO_5.score([5, 5, 5, 5, 5]).percentage == 100


@pytest.mark.parametrize(
    ("item_9", "flags"), [(0, ()), (1, ("self_harm_thoughts",)), (3, ("self_harm_thoughts",))]
)
def test_phq_9_item_9_flag(item_9: int, flags: tuple[str, ...]) -> None:
    assert PHQ_9.score([0] * 8 + [item_9]).flags == flags
    assert PHQ_8.flags == ()


async def test_any_signed_in_role_reads_the_instruments(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    clinician = await accounts.make(Role.clinician)

    listed = await client.get("/v1/instruments", headers=clinician.headers)
    one = await client.get("/v1/instruments/who-5", headers=clinician.headers)
    missing = await client.get("/v1/instruments/phq-99", headers=clinician.headers)

    assert [item["key"] for item in listed.json()] == list(INSTRUMENTS)
    assert one.json()["band_scale"] == "percentage"
    assert one.json()["items"][0] == {
        "number": 1, "text": "I have felt cheerful and in good spirits", "loinc": None,
    }  # fmt: skip
    assert missing.status_code == 404
