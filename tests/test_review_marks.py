"""Review marks cover what the service had received or changed, not what was recorded when.

An offline app uploads yesterday's entry today; a participant edits an entry after the
clinician looked. Either must show as unreviewed, or the clinician believes they have seen
everything when they have not."""

from datetime import UTC, datetime, timedelta

import httpx

from tests.conftest import Account, Accounts
from tests.helpers import ago, care_team, post_entry


def now_iso(**delta: float) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


async def mark(
    client: httpx.AsyncClient, clinician: Account, participant: Account, through: str
) -> httpx.Response:
    return await client.put(
        f"/v1/clinician/participants/{participant.id}/review-mark",
        json={"reviewed_through": through},
        headers=clinician.headers,
    )


async def unreviewed(client: httpx.AsyncClient, clinician: Account, participant: Account) -> int:
    overview = await client.get(
        f"/v1/clinician/participants/{participant.id}", headers=clinician.headers
    )
    assert overview.status_code == 200, overview.text
    return int(overview.json()["unreviewed"])


async def entry_flags(
    client: httpx.AsyncClient, clinician: Account, participant: Account
) -> dict[str, bool]:
    page = await client.get(
        f"/v1/clinician/participants/{participant.id}/entries", headers=clinician.headers
    )
    assert page.status_code == 200, page.text
    return {item["id"]: item["unreviewed"] for item in page.json()["items"]}


async def test_a_late_upload_recorded_before_the_mark_is_unreviewed(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    seen = (await post_entry(client, sam, recorded_at=ago(hours=2))).json()
    assert (await mark(client, clinician, sam, now_iso())).json()["unreviewed"] == 0
    # Recorded yesterday on the phone, offline; it reaches the service after the review.
    late = await post_entry(client, sam, recorded_at=ago(days=1), anxiety=9)
    assert late.status_code == 201
    assert await unreviewed(client, clinician, sam) == 1
    flags = await entry_flags(client, clinician, sam)
    assert flags == {seen["id"]: False, late.json()["id"]: True}


async def test_an_edit_after_the_mark_is_unreviewed_again(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    entry = (await post_entry(client, sam, recorded_at=ago(hours=5))).json()
    await mark(client, clinician, sam, now_iso())
    assert await unreviewed(client, clinician, sam) == 0
    edited = await client.patch(
        f"/v1/me/entries/{entry['id']}",
        json={"note": "actually I am not safe tonight"},
        headers={**sam.headers, "If-Match": '"1"'},
    )
    assert edited.status_code == 200
    assert await unreviewed(client, clinician, sam) == 1
    assert await entry_flags(client, clinician, sam) == {entry["id"]: True}
    # Reviewing again covers the edit.
    assert (await mark(client, clinician, sam, now_iso())).json()["unreviewed"] == 0


async def test_a_mark_in_the_past_covers_only_what_had_arrived_by_then(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    await post_entry(client, sam, recorded_at=ago(days=3))
    # Everything arrived just now: a mark an hour ago covers none of it.
    response = await mark(client, clinician, sam, now_iso(hours=-1))
    assert response.status_code == 200 and response.json()["unreviewed"] == 1


async def test_a_review_mark_in_the_future_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    await post_entry(client, sam, recorded_at=ago(hours=1))
    for through in ("2030-01-01T00:00:00Z", now_iso(minutes=5)):
        response = await mark(client, clinician, sam, through)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["errors"][0]["field"] == "body.reviewed_through"
    assert await accounts.count("review_marks") == 0
    assert await unreviewed(client, clinician, sam) == 1


async def test_a_slightly_fast_clinician_clock_is_taken_as_now(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    await post_entry(client, sam, recorded_at=ago(hours=1))
    response = await mark(client, clinician, sam, now_iso(seconds=20))
    assert response.status_code == 200
    body = response.json()
    assert body["unreviewed"] == 0
    assert datetime.fromisoformat(body["reviewed_through"]) <= datetime.now(UTC)


async def test_get_review_mark_before_and_after_setting_one(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    url = f"/v1/clinician/participants/{sam.id}/review-mark"
    await post_entry(client, sam, recorded_at=ago(hours=1))
    none = await client.get(url, headers=clinician.headers)
    assert none.status_code == 200
    assert none.json() == {
        "participant_id": str(sam.id),
        "reviewed_through": None,
        "unreviewed": 1,
        "updated_at": None,
    }
    set_mark = (await mark(client, clinician, sam, now_iso())).json()
    await post_entry(client, sam, recorded_at=ago(days=2))
    after = (await client.get(url, headers=clinician.headers)).json()
    assert after["reviewed_through"] == set_mark["reviewed_through"]
    assert after["unreviewed"] == 1


async def test_review_mark_of_an_unassigned_participant_is_404(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, _people = await care_team(client, accounts)
    stranger = await accounts.make()
    url = f"/v1/clinician/participants/{stranger.id}/review-mark"
    assert (await client.get(url, headers=clinician.headers)).status_code == 404
    assert (await mark(client, clinician, stranger, now_iso())).status_code == 404


async def test_a_deleted_entry_leaves_the_unreviewed_count(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    await mark(client, clinician, sam, now_iso())
    entry = (await post_entry(client, sam, recorded_at=ago(hours=1))).json()
    assert await unreviewed(client, clinician, sam) == 1
    deleted = await client.delete(f"/v1/me/entries/{entry['id']}", headers=sam.headers)
    assert deleted.status_code == 204
    assert await unreviewed(client, clinician, sam) == 0


async def test_clinician_entry_list_filters_by_tag(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    _admin, clinician, (sam,) = await care_team(client, accounts)
    work = (await post_entry(client, sam, recorded_at=ago(hours=3), tags=["work"])).json()
    await post_entry(client, sam, recorded_at=ago(hours=2), tags=["walk"])
    page = await client.get(
        f"/v1/clinician/participants/{sam.id}/entries?tag=work", headers=clinician.headers
    )
    assert page.status_code == 200
    assert [item["id"] for item in page.json()["items"]] == [work["id"]]


async def test_the_caseload_cursor_carries_no_names(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    import base64
    import json

    _admin, clinician, people = await care_team(client, accounts, participants=3)
    first = await client.get("/v1/clinician/participants?limit=2", headers=clinician.headers)
    cursor = first.json()["next_cursor"]
    decoded = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    assert "P00" not in decoded  # the display names are P000, P001, P002
    # The attention order's counts (none here) and the last participant's id.
    assert json.loads(decoded)[1:] == [0, 0, 0, 0, str(people[1].id)]
    rest = await client.get(
        f"/v1/clinician/participants?limit=2&cursor={cursor}", headers=clinician.headers
    )
    names = [p["display_name"] for p in first.json()["items"] + rest.json()["items"]]
    assert names == ["P000", "P001", "P002"]
