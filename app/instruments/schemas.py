"""How an instrument's definition is shown: everything a client needs to present it."""

from typing import Literal

from pydantic import BaseModel, Field

from app.instruments.definitions import Instrument


class OptionRead(BaseModel):
    value: int = Field(description="The answer's score.")
    text: str = Field(description="The published wording.")
    loinc: str | None = Field(description="LOINC answer code, where LOINC has one.")


class ItemRead(BaseModel):
    number: int = Field(description="1-based, in the order answers are sent.")
    text: str
    loinc: str | None


class BandRead(BaseModel):
    key: str
    label: str
    low: int = Field(description="Lowest score of the band (inclusive), on `band_scale`.")
    high: int = Field(description="Highest score of the band (inclusive), on `band_scale`.")


class FlagRead(BaseModel):
    key: str
    item: int
    min_answer: int
    description: str


class InstrumentRead(BaseModel):
    """A validated instrument, read-only. A change to any text, option or band is a new
    `version`; assessments keep the version they were scored with."""

    key: str = Field(examples=["gad-7"])
    version: int
    title: str
    recall_period: str
    question: str = Field(description="The stem shown above the items.")
    items: list[ItemRead]
    options: list[OptionRead] = Field(description="The same answer options for every item.")
    scoring: str
    total_max: int
    band_scale: Literal["total", "percentage"]
    bands: list[BandRead] = Field(description="Descriptive severity bands; no advice.")
    flags: list[FlagRead]
    loinc_panel: str | None
    loinc_total: str | None
    attribution: str


def to_instrument_read(instrument: Instrument) -> InstrumentRead:
    return InstrumentRead(
        key=instrument.key,
        version=instrument.version,
        title=instrument.title,
        recall_period=instrument.recall_period,
        question=instrument.question,
        items=[
            ItemRead(number=number, text=item.text, loinc=item.loinc)
            for number, item in enumerate(instrument.items, start=1)
        ],
        options=[OptionRead(value=o.value, text=o.text, loinc=o.loinc) for o in instrument.options],
        scoring=instrument.scoring,
        total_max=instrument.max_total,
        band_scale="percentage" if instrument.band_multiplier != 1 else "total",
        bands=[
            BandRead(key=b.key, label=b.label, low=b.low, high=b.high) for b in instrument.bands
        ],
        flags=[
            FlagRead(key=f.key, item=f.item, min_answer=f.min_answer, description=f.description)
            for f in instrument.flags
        ],
        loinc_panel=instrument.loinc_panel,
        loinc_total=instrument.loinc_total,
        attribution=instrument.attribution,
    )
