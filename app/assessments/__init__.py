"""Assessments: validated questionnaires a participant completes, scored on the server, and
the schedules at which their clinician asks for them."""
