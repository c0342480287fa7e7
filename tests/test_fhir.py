"""FHIR R4 over HTTP: every resource parses with the `fhir.resources.R4B` models and carries
the right codes; `$everything` pages with `next` links, filters with `_since`, and is open to
the participant, their care team and consenting integrations with `fhir.read` only."""

import json
from typing import Any
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI

from app.access import sweep_for
from app.fhir.terminology import CODE_SYSTEM, QUESTIONNAIRES, capability_statement
from app.sweeper.service import sweep_once
from app.users.models import Role
from tests.conftest import Account, Accounts
from tests.fhir_checks import (
    LOINC,
    RATING_SYSTEM,
    check_bundle_resources,
    code_system_of,
    parse,
    resources_of,
)
from tests.helpers import SUPPORT, ago, assessment_body, care_team, post_entry, submit
from tests.integration_helpers import consent, register, token_headers
from tests.test_care_team import set_backup
from tests.test_no_advice_texts import offending
from tests.test_sweeper import overdue_alert

FHIR = "application/fhir+json"


def everything_url(participant: Account, **query: str) -> str:
    params = "&".join(f"{key}={value}" for key, value in query.items())
    return f"/fhir/r4/Patient/{participant.id}/$everything" + (f"?{params}" if params else "")


async def all_pages(
    client: httpx.AsyncClient, url: str, headers: dict[str, str]
) -> tuple[list[dict[str, Any]], int]:
    """Every resource of every page, following `next` links; and how many pages."""
    found: list[dict[str, Any]] = []
    pages = 0
    next_url: str | None = url
    while next_url is not None:
        response = await client.get(next_url, headers=headers)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith(FHIR)
        bundle = response.json()
        assert bundle["type"] == "searchset"
        found += resources_of(bundle)
        pages += 1
        links = {link["relation"]: link["url"] for link in bundle["link"]}
        next_url = None
        if "next" in links:
            parts = urlsplit(links["next"])
            next_url = f"{parts.path}?{parts.query}"
    check_bundle_resources(found)
    return found, pages


async def journal(client: httpx.AsyncClient, admin: Account, sam: Account) -> None:
    """Two entries (one note private, one shared) and one assessment of each instrument."""
    support = await client.put("/v1/admin/support-resources", json=SUPPORT, headers=admin.headers)
    assert support.status_code == 200, support.text
    await post_entry(client, sam, note="private thoughts", note_shared=False)
    await post_entry(client, sam, note="for my team", note_shared=True,
                     recorded_at="2026-11-21T08:30:00-05:00")  # fmt: skip
    # An offset the API takes but FHIR cannot write (over 14 hours): given in UTC.
    await post_entry(client, sam, recorded_at="2026-11-21T08:30:00+20:00", note=None)
    for instrument, hours in (("phq-9", 3), ("gad-7", 2), ("phq-8", 5), ("who-5", 4)):
        response = await submit(
            client, sam, **assessment_body(instrument, completed_at=ago(hours=hours))
        )
        assert response.status_code == 201, response.text


def of_kind(resources: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [resource for resource in resources if resource["resourceType"] == kind]


async def test_metadata_code_system_and_questionnaires_parse_with_r4_models(
    client: httpx.AsyncClient,
) -> None:
    metadata = await client.get("/fhir/r4/metadata")
    assert metadata.status_code == 200 and metadata.headers["content-type"].startswith(FHIR)
    statement = parse(metadata.json())
    assert statement.fhirVersion == "4.0.1"
    code_system = (await client.get("/fhir/r4/CodeSystem/journal-rating")).json()
    parse(code_system)
    assert code_system["url"] == RATING_SYSTEM and code_system["status"] == "active"
    codes = {concept["code"] for concept in code_system["concept"]}
    assert codes == {"journal-entry", "mood", "focus", "anxiety", "creativity", "connection"}
    for key, first_item in (("phq-9", "44250-9"), ("gad-7", "69725-0")):
        questionnaire = (await client.get(f"/fhir/r4/Questionnaire/{key}")).json()
        parse(questionnaire)
        assert questionnaire["status"] == "active"
        assert questionnaire["item"][0]["code"] == [{"system": LOINC, "code": first_item}]
        options = questionnaire["item"][0]["answerOption"]
        assert [option["valueCoding"]["code"] for option in options] == [
            "LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"
        ]  # fmt: skip
    for key in ("phq-8", "who-5"):
        parse((await client.get(f"/fhir/r4/Questionnaire/{key}")).json())
    missing = await client.get("/fhir/r4/Questionnaire/phq-99")
    # Errors on /fhir paths are the API's problem+json, not OperationOutcomes (a decision).
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


async def test_participant_gets_everything_with_their_name_and_notes(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make(display_name="Sam")
    await journal(client, await accounts.make(Role.admin), sam)
    found, _pages = await all_pages(client, everything_url(sam), sam.headers)
    (patient,) = of_kind(found, "Patient")
    assert patient["name"] == [{"text": "Sam"}] and patient["id"] == str(sam.id)
    observations = of_kind(found, "Observation")
    panels = [o for o in observations if code_system_of(o) == RATING_SYSTEM]
    notes = {note["text"] for panel in panels for note in panel.get("note", [])}
    assert notes == {"private thoughts", "for my team"}
    times = {panel["effectiveDateTime"] for panel in panels}
    assert {"2026-11-21T08:30:00-05:00", "2026-11-20T12:30:00Z"} <= times
    assert len(of_kind(found, "QuestionnaireResponse")) == 4
    totals = {o["code"]["coding"][0]["code"] for o in observations if code_system_of(o) == LOINC}
    assert totals == {"44261-6", "70274-6"}


async def test_paging_covers_every_entry_once_and_since_filters(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    for day in range(1, 8):
        await post_entry(client, sam, recorded_at=f"2026-11-{day:02d}T09:00:00+01:00")
    for hours in (1, 2, 3):
        await submit(client, sam, completed_at=ago(hours=hours))
    for count in (1, 2, 3, 7, 10, 50):
        found, pages = await all_pages(client, everything_url(sam, _count=str(count)), sam.headers)
        ids = [resource["id"] for resource in found]
        assert len(ids) == len(set(ids)) == 1 + 7 + 3 * 2, count
        assert pages == -(-10 // count) if count < 10 else pages == 1
    cut = ago(seconds=0)
    later = (await post_entry(client, sam, recorded_at="2026-10-01T09:00:00Z")).json()
    found, _ = await all_pages(
        client, everything_url(sam, _since=cut.replace("+", "%2B")), sam.headers
    )
    assert [r["id"] for r in found if r["resourceType"] == "Observation"] == [later["id"]]
    bad = await client.get(everything_url(sam, cursor="bm90LWEtY3Vyc29y"), headers=sam.headers)
    assert bad.status_code == 422


async def test_care_team_and_integrations_reach_it_as_they_may_and_never_private_notes(
    app: FastAPI, client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin, primary, (sam,) = await care_team(client, accounts)
    backup = await accounts.make(Role.clinician, display_name="Dr. Brandt")
    stranger = await accounts.make(Role.clinician)
    other = await accounts.make()
    assert (await set_backup(client, admin, sam, backup)).status_code == 200
    await journal(client, admin, sam)
    url = everything_url(sam)
    for nobody in (stranger, backup, other, admin):
        assert (await client.get(url, headers=nobody.headers)).status_code == 404
    assert (await client.get(url)).status_code == 401

    await overdue_alert(client, accounts, sam)
    assert (await sweep_once(app.state.sessionmaker, sweep_for("t"), batch=10)).escalated == 1
    ehr = await register(client, admin)
    narrow = await register(client, admin, name="Research store", scopes=["entries.read"])
    ehr_headers = await token_headers(client, ehr)
    assert (await client.get(url, headers=ehr_headers)).status_code == 404
    await consent(client, sam, ehr)
    await consent(client, sam, narrow)
    narrow_response = await client.get(url, headers=await token_headers(client, narrow))
    assert narrow_response.status_code == 403, narrow_response.text
    assert narrow_response.json()["type"].endswith("/insufficient-scope")

    for reader in (primary.headers, backup.headers, ehr_headers):
        found, _ = await all_pages(client, url, reader)
        (patient,) = of_kind(found, "Patient")
        assert "name" not in patient
        notes = {n["text"] for r in of_kind(found, "Observation") for n in r.get("note", [])}
        assert "private thoughts" not in notes and "for my team" in notes

    log = (await client.get("/v1/me/access-log", headers=sam.headers)).json()["items"]
    seen = {(item["accessor"], item["accessor_role"], item["data"]) for item in log}
    assert {("Dr. Okafor", "clinician", "assessments"), ("Dr. Brandt", "covering_clinician",
            "entries"), ("Riverside EHR", "integration", "assessments")} <= seen  # fmt: skip
    actions = [action for action, _ in await accounts.audit_actions()]
    assert actions.count("integration.read_entries") == 1


async def test_fhir_export_is_a_collection_of_the_same_resources(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make(display_name="Sam")
    await journal(client, await accounts.make(Role.admin), sam)
    response = await client.get("/v1/me/export?format=fhir", headers=sam.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(FHIR)
    assert response.headers["content-disposition"].endswith('.fhir.json"')
    bundle = response.json()
    assert bundle["type"] == "collection"
    exported = resources_of(bundle)
    check_bundle_resources(exported)
    found, _ = await all_pages(client, everything_url(sam), sam.headers)
    assert sorted(r["id"] for r in exported) == sorted(r["id"] for r in found)
    assert {r["resourceType"] for r in exported} == {
        "Patient", "Observation", "QuestionnaireResponse"
    }  # fmt: skip
    empty = await accounts.make()
    alone = (await client.get("/v1/me/export?format=fhir", headers=empty.headers)).json()
    assert [r["resourceType"] for r in resources_of(alone)] == ["Patient"]


def test_fhir_texts_of_our_own_never_advise() -> None:
    texts = [concept["definition"] for concept in CODE_SYSTEM["concept"]]
    texts += [CODE_SYSTEM["description"], json.dumps(capability_statement("2026-11-21"))]
    texts += [json.dumps(questionnaire["description"]) for questionnaire in QUESTIONNAIRES.values()]
    assert [(text, offending(text)) for text in texts if offending(text)] == []


async def test_withdrawn_consent_ends_an_integrations_fhir_access_at_once(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    admin = await accounts.make(Role.admin)
    sam = await accounts.make()
    ehr = await register(client, admin)
    headers = await token_headers(client, ehr, "fhir.read")
    await consent(client, sam, ehr)
    assert (await client.get(everything_url(sam), headers=headers)).status_code == 200
    withdrawn = await client.delete(f"/v1/me/integrations/{ehr.id}/consent", headers=sam.headers)
    assert withdrawn.status_code == 204
    after = await client.get(everything_url(sam), headers=headers)
    assert after.status_code == 404 and after.json()["type"].endswith("/not-found")
