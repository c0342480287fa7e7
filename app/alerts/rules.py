"""Alert rules as validated data: what each kind of rule takes, and a clinic's or a
participant's set of them. A rule describes what was reported; it never advises."""

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
    model_validator,
)
from pydantic.config import JsonValue
from pydantic_core import PydanticCustomError

from app.instruments.definitions import INSTRUMENTS
from app.schemas import StrictModel, json_integer, json_number

RuleKey = Annotated[
    str,
    Field(
        min_length=1,
        max_length=40,
        pattern=r"^[a-z0-9][a-z0-9-]*$",
        description="Unique in its set; a participant's rule with a clinic key overrides it.",
        examples=["anxiety-high-3d"],
    ),
]
Severity = Literal["urgent", "routine"]
# JSON Schema's numbers: 7 or 7.0 for an integer, but not `true` or "7".
JsonInt = Annotated[int, BeforeValidator(json_integer)]
JsonNumber = Annotated[float, BeforeValidator(json_number)]
Dimension = Literal["mood", "focus", "anxiety", "creativity", "connection"]
InstrumentKey = Literal["phq-9", "phq-8", "gad-7", "who-5"]
ExperienceSeverity = Literal["mild", "moderate", "severe"]
EXPERIENCE_SEVERITIES: tuple[ExperienceSeverity, ...] = ("mild", "moderate", "severe")


class RuleBase(BaseModel):
    # Not a StrictModel: its NUL check runs before validation on every field, and pydantic
    # allows none on a discriminator (`kind`). No field here takes free text.
    model_config = ConfigDict(extra="forbid")

    key: RuleKey
    severity: Severity
    acknowledge_within_minutes: JsonInt = Field(
        ge=1, le=10080, description="The care team acknowledges it within this, or it escalates."
    )
    enabled: StrictBool = True


class RatingThresholdRule(RuleBase):
    """On each of the last `consecutive_days` local days, the day's mean of `dimension` met
    the threshold."""

    kind: Literal["rating_threshold"]
    dimension: Dimension
    op: Literal["gte", "lte"]
    value: JsonInt = Field(ge=0, le=10)
    consecutive_days: JsonInt = Field(ge=1, le=14)


class BaselineChangeRule(RuleBase):
    """The 7-day mean of `dimension` differs from the mean of the 28 days before by at least
    `change` (its sign gives the direction), with at least `min_entries` in each window."""

    kind: Literal["baseline_change"]
    dimension: Dimension
    change: JsonNumber = Field(ge=-10, le=10, json_schema_extra={"not": {"const": 0}})
    min_entries: JsonInt = Field(ge=1, le=100)

    @field_validator("change")
    @classmethod
    def not_zero(cls, value: float) -> float:
        if value == 0:
            raise ValueError("must not be 0: its sign gives the direction")
        return value


class MissedCheckinsRule(RuleBase):
    """No entry for `days` local days (the participant's own days)."""

    kind: Literal["missed_checkins"]
    days: JsonInt = Field(ge=1, le=60)


class InstrumentScoreRule(RuleBase):
    """An assessment's total is at least `min_total` (at most the instrument's top total:
    27 for PHQ-9, 24 for PHQ-8, 21 for GAD-7, 25 for WHO-5; else `422`
    `min-total-above-scale`)."""

    kind: Literal["instrument_score"]
    instrument: InstrumentKey
    min_total: JsonInt = Field(ge=1)

    @model_validator(mode="after")
    def within_the_scale(self) -> "InstrumentScoreRule":
        top = INSTRUMENTS[self.instrument].max_total
        if self.min_total > top:
            raise PydanticCustomError(
                "min-total-above-scale",
                "min_total must be at most {top} for {instrument}",
                {"top": top, "instrument": self.instrument},
            )
        return self


class InstrumentFlagRule(RuleBase):
    """An assessment carries `flag`. Only PHQ-9 has a flag: `self_harm_thoughts` (item 9)."""

    kind: Literal["instrument_flag"]
    instrument: Literal["phq-9"]
    flag: Literal["self_harm_thoughts"]


class ExperienceReportRule(RuleBase):
    """The participant reports an unusual or adverse experience of at least `min_severity`."""

    kind: Literal["experience_report"]
    min_severity: ExperienceSeverity


AlertRule = Annotated[
    RatingThresholdRule
    | BaselineChangeRule
    | MissedCheckinsRule
    | InstrumentScoreRule
    | InstrumentFlagRule
    | ExperienceReportRule,
    Field(discriminator="kind"),
]

DEFAULT_RULES_EXAMPLE: list[JsonValue] = [
    {
        "key": "phq9-self-harm-thoughts",
        "kind": "instrument_flag",
        "instrument": "phq-9",
        "flag": "self_harm_thoughts",
        "severity": "urgent",
        "acknowledge_within_minutes": 60,
        "enabled": True,
    },
    {
        "key": "anxiety-high-3d",
        "kind": "rating_threshold",
        "dimension": "anxiety",
        "op": "gte",
        "value": 8,
        "consecutive_days": 3,
        "severity": "routine",
        "acknowledge_within_minutes": 1440,
        "enabled": True,
    },
]


class AlertRuleSet(StrictModel):
    """A whole set of rules, replaced at once."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"rules": DEFAULT_RULES_EXAMPLE}]})

    rules: list[AlertRule] = Field(max_length=50)

    @field_validator("rules")
    @classmethod
    def keys_are_unique(cls, rules: list[RuleBase]) -> list[RuleBase]:
        keys = [rule.key for rule in rules]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            raise PydanticCustomError(
                "duplicate-key", "each key once: {keys} repeated", {"keys": ", ".join(repeated)}
            )
        return rules


class EffectiveRule(BaseModel):
    scope: Literal["clinic", "participant"] = Field(
        description="`clinic`: a clinic default; `participant`: this participant's own (an "
        "addition, or an override of the clinic rule with the same key)."
    )
    rule: AlertRule


class EffectiveRuleSet(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"rules": [{"scope": "clinic", "rule": r} for r in DEFAULT_RULES_EXAMPLE]}]
        }
    )

    rules: list[EffectiveRule] = Field(description="The rules that apply, clinic rules first.")
