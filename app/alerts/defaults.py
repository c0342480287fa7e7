"""The clinic's default alert rules, as a fresh database has them (inserted by migration
c0a1e2a5e007, which keeps its own copy: a test checks the two agree)."""

from app.alerts.rules import AlertRuleSet

DEFAULT_RULES = AlertRuleSet.model_validate(
    {
        "rules": [
            {"key": "phq9-self-harm-thoughts", "kind": "instrument_flag", "instrument": "phq-9",
             "flag": "self_harm_thoughts", "severity": "urgent", "acknowledge_within_minutes": 60},
            {"key": "phq9-total-20", "kind": "instrument_score", "instrument": "phq-9",
             "min_total": 20, "severity": "urgent", "acknowledge_within_minutes": 240},
            {"key": "anxiety-high-3d", "kind": "rating_threshold", "dimension": "anxiety",
             "op": "gte", "value": 8, "consecutive_days": 3, "severity": "routine",
             "acknowledge_within_minutes": 1440},
            {"key": "mood-below-baseline", "kind": "baseline_change", "dimension": "mood",
             "change": -3, "min_entries": 3, "severity": "routine",
             "acknowledge_within_minutes": 1440},
            {"key": "no-entry-7d", "kind": "missed_checkins", "days": 7, "severity": "routine",
             "acknowledge_within_minutes": 2880},
            {"key": "experience-severe", "kind": "experience_report", "min_severity": "severe",
             "severity": "urgent", "acknowledge_within_minutes": 60},
        ]
    }
)  # fmt: skip
