"""Assessments: validated questionnaires a participant completes, scored on the server, and
the intervals at which their clinician asks for them."""
