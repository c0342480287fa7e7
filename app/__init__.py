"""Wellbeing Journal: a clinician-supervised wellbeing journal API."""

__version__ = "0.1.0"
