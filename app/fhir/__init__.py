"""FHIR R4 views of a participant's data: `Patient/{id}/$everything`, the instruments'
`Questionnaire`s, the ratings' `CodeSystem`, and the participant's `format=fhir` export.

Resources are built as plain dicts (JSON as FHIR defines it): the tests validate each one
with the `fhir.resources.R4B` models, so the service does not carry those models at run time."""
