"""The validated instruments: immutable, versioned definitions with their published texts,
scoring, bands, flags, LOINC codes and attribution, in one place (after CamCOPS).

Each text is pinned by a test (tests/test_instruments.py). Changing a text, an option or a
band is a new `version`; stored assessments keep the version they were scored with."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from app.errors import NotFound


@dataclass(frozen=True)
class AnswerOption:
    value: int
    text: str
    loinc: str | None = None  # the LOINC answer code, where LOINC has one


@dataclass(frozen=True)
class Item:
    text: str
    loinc: str | None = None


@dataclass(frozen=True)
class Band:
    """A severity band: a score from `low` to `high` (both inclusive) on the band's scale."""

    key: str
    label: str
    low: int
    high: int


@dataclass(frozen=True)
class Flag:
    """Set when the answer to item `item` (1-based) is at least `min_answer`."""

    key: str
    item: int
    min_answer: int
    description: str


@dataclass(frozen=True)
class Instrument:
    key: str
    version: int
    title: str
    recall_period: str
    question: str
    items: tuple[Item, ...]
    options: tuple[AnswerOption, ...]
    bands: tuple[Band, ...]
    scoring: str
    attribution: str
    loinc_panel: str | None = None
    loinc_total: str | None = None
    # WHO-5 bands its raw total times 4 (a percentage); the others band the total itself.
    band_multiplier: int = 1
    flags: tuple[Flag, ...] = field(default_factory=tuple)

    @property
    def max_total(self) -> int:
        return len(self.items) * max(option.value for option in self.options)

    def band_for(self, total: int) -> Band | None:
        scaled = total * self.band_multiplier
        return next((band for band in self.bands if band.low <= scaled <= band.high), None)

    def score(self, answers: Sequence[int]) -> "Score":
        """Total, percentage (WHO-5), band and flags of answers already checked
        (`answer_problems`)."""
        total = sum(answers)
        band = self.band_for(total)
        flags = tuple(flag.key for flag in self.flags if answers[flag.item - 1] >= flag.min_answer)
        percentage = total * self.band_multiplier if self.band_multiplier != 1 else None
        return Score(total, percentage, band.key if band else None, flags)

    def answer_problems(self, answers: Sequence[int]) -> list[tuple[str, str]]:
        """(field, message) for each way `answers` do not fit: one per item, in item order,
        each one of the item's option values."""
        if len(answers) != len(self.items):
            return [
                ("body.answers", f"{self.key} has {len(self.items)} items; send one answer each.")
            ]
        values = {option.value for option in self.options}
        low, high = min(values), max(values)
        return [
            (f"body.answers.{index}", f"must be one of the options, {low} to {high}")
            for index, answer in enumerate(answers)
            if answer not in values
        ]


@dataclass(frozen=True)
class Score:
    total: int
    percentage: int | None
    band: str | None
    flags: tuple[str, ...]


PHQ_ATTRIBUTION = (
    "Developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke and colleagues, "
    "with an educational grant from Pfizer Inc. No permission required to reproduce, "
    "translate, display or distribute."
)
TWO_WEEKS = "the last 2 weeks"
FREQUENCY = (
    AnswerOption(0, "Not at all", "LA6568-5"),
    AnswerOption(1, "Several days", "LA6569-3"),
    AnswerOption(2, "More than half the days", "LA6570-1"),
    AnswerOption(3, "Nearly every day", "LA6571-9"),
)
PHQ_ITEMS = (
    Item("Little interest or pleasure in doing things", "44250-9"),
    Item("Feeling down, depressed, or hopeless", "44255-8"),
    Item("Trouble falling or staying asleep, or sleeping too much", "44259-0"),
    Item("Feeling tired or having little energy", "44254-1"),
    Item("Poor appetite or overeating", "44251-7"),
    Item(
        "Feeling bad about yourself — or that you are a failure or have let yourself or "
        "your family down",
        "44258-2",
    ),
    Item(
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "44252-5",
    ),
    Item(
        "Moving or speaking so slowly that other people could have noticed? Or the opposite "
        "— being so fidgety or restless that you have been moving around a lot more than usual",
        "44253-3",
    ),
    Item(
        "Thoughts that you would be better off dead or of hurting yourself in some way",
        "44260-8",
    ),
)
PHQ_QUESTION = (
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
)


def _depression_bands(top: int) -> tuple[Band, ...]:
    return (
        Band("minimal", "Minimal", 0, 4),
        Band("mild", "Mild", 5, 9),
        Band("moderate", "Moderate", 10, 14),
        Band("moderately_severe", "Moderately severe", 15, 19),
        Band("severe", "Severe", 20, top),
    )


PHQ_9 = Instrument(
    key="phq-9",
    version=1,
    title="Patient Health Questionnaire (PHQ-9)",
    recall_period=TWO_WEEKS,
    question=PHQ_QUESTION,
    items=PHQ_ITEMS,
    options=FREQUENCY,
    bands=_depression_bands(27),
    scoring="The sum of the nine answers (0 to 27).",
    attribution=PHQ_ATTRIBUTION,
    loinc_panel="44249-1",
    loinc_total="44261-6",
    flags=(
        Flag(
            "self_harm_thoughts",
            item=9,
            min_answer=1,
            description="Item 9 (thoughts of being better off dead or of self-harm) answered "
            "with any frequency other than “Not at all”.",
        ),
    ),
)
# PHQ-9 without item 9: always available, whatever the clinic has configured. Its items are
# the PHQ-9's (same LOINC item codes); no panel or total code is claimed for it here.
PHQ_8 = Instrument(
    key="phq-8",
    version=1,
    title="Patient Health Questionnaire (PHQ-8)",
    recall_period=TWO_WEEKS,
    question=PHQ_QUESTION,
    items=PHQ_ITEMS[:8],
    options=FREQUENCY,
    bands=_depression_bands(24),
    scoring="The sum of the eight answers (0 to 24).",
    attribution=PHQ_ATTRIBUTION,
)
GAD_7 = Instrument(
    key="gad-7",
    version=1,
    title="Generalized Anxiety Disorder 7-item scale (GAD-7)",
    recall_period=TWO_WEEKS,
    question=("Over the last 2 weeks, how often have you been bothered by the following problems?"),
    items=(
        Item("Feeling nervous, anxious or on edge", "69725-0"),
        Item("Not being able to stop or control worrying", "68509-9"),
        Item("Worrying too much about different things", "69733-4"),
        Item("Trouble relaxing", "69734-2"),
        Item("Being so restless that it is hard to sit still", "69735-9"),
        Item("Becoming easily annoyed or irritable", "69689-8"),
        Item("Feeling afraid as if something awful might happen", "69736-7"),
    ),
    options=FREQUENCY,
    bands=(
        Band("minimal", "Minimal", 0, 4),
        Band("mild", "Mild", 5, 9),
        Band("moderate", "Moderate", 10, 14),
        Band("severe", "Severe", 15, 21),
    ),
    scoring="The sum of the seven answers (0 to 21).",
    attribution=PHQ_ATTRIBUTION,
    loinc_panel="69737-5",
    loinc_total="70274-6",
)
WHO_5 = Instrument(
    key="who-5",
    version=1,
    title="WHO-5 Well-Being Index",
    recall_period="the last two weeks",
    question="Over the last two weeks:",
    items=(
        Item("I have felt cheerful and in good spirits"),
        Item("I have felt calm and relaxed"),
        Item("I have felt active and vigorous"),
        Item("I woke up feeling fresh and rested"),
        Item("My daily life has been filled with things that interest me"),
    ),
    options=(
        AnswerOption(5, "All of the time"),
        AnswerOption(4, "Most of the time"),
        AnswerOption(3, "More than half of the time"),
        AnswerOption(2, "Less than half of the time"),
        AnswerOption(1, "Some of the time"),
        AnswerOption(0, "At no time"),
    ),
    # Bands on the percentage (raw times 4), as the WHO-5's authors report it.
    bands=(
        Band("low_wellbeing_likely_depression", "Low wellbeing (percentage 28 or less)", 0, 28),
        Band("low_wellbeing", "Low wellbeing (percentage 50 or less)", 29, 50),
    ),  # above 50: no band
    band_multiplier=4,
    scoring="The sum of the five answers (0 to 25), also reported as a percentage (times 4).",
    attribution=(
        "WHO-5 Well-Being Index © Psychiatric Research Unit, Mental Health Centre North "
        "Zealand, 1998. Free to use without permission."
    ),
)

INSTRUMENTS: dict[str, Instrument] = {
    instrument.key: instrument for instrument in (PHQ_9, PHQ_8, GAD_7, WHO_5)
}


def find_instrument(key: str) -> Instrument:
    """The instrument with this key; 404 for any other."""
    instrument = INSTRUMENTS.get(key)
    if instrument is None:
        raise NotFound("No such instrument.")
    return instrument
