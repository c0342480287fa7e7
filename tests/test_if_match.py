"""`If-Match`: a malformed header is refused with the right form; a stale one is `412` with
the current `ETag` and entry, so the client needs no extra GET."""

import httpx
import pytest

from tests.conftest import Accounts
from tests.helpers import created_entry, post_entry


@pytest.mark.parametrize("header", ["3", "1", "W/1", '"1', "1, 2", ""])
async def test_a_malformed_if_match_is_422_showing_the_right_form(
    client: httpx.AsyncClient, accounts: Accounts, header: str
) -> None:
    sam = await accounts.make()
    created = created_entry(await post_entry(client, sam))
    url = f"/v1/me/entries/{created['id']}"
    for response in (
        await client.patch(url, json={"mood": 9}, headers={**sam.headers, "If-Match": header}),
        await client.delete(url, headers={**sam.headers, "If-Match": header}),
    ):
        assert response.status_code == 422, response.text
        problem = response.json()
        assert problem["errors"][0]["field"] == "header.if-match"
        assert 'If-Match: "' in problem["detail"]
    assert (await client.get(url, headers=sam.headers)).json() == created


async def test_a_stale_if_match_is_412_with_the_current_etag_and_entry(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    created = created_entry(await post_entry(client, sam))
    url = f"/v1/me/entries/{created['id']}"
    edited = await client.patch(url, json={"mood": 1}, headers={**sam.headers, "If-Match": '"1"'})
    for response in (
        await client.patch(url, json={"mood": 9}, headers={**sam.headers, "If-Match": '"1"'}),
        await client.delete(url, headers={**sam.headers, "If-Match": '"1"'}),
    ):
        assert response.status_code == 412
        assert response.headers["etag"] == '"2"'
        problem = response.json()
        assert problem["current_version"] == 2
        assert problem["entry"] == edited.json()
        assert '"2"' in problem["detail"] and "now" in problem["detail"]


async def test_lists_and_star_match_and_a_weak_tag_never_does(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    # RFC 9110: If-Match uses the strong comparison, so W/"3" does not match version 3.
    sam = await accounts.make()
    created = created_entry(await post_entry(client, sam))
    url = f"/v1/me/entries/{created['id']}"
    for header, status in (('"7", "1"', 200), ("*", 200), ('W/"3"', 412)):
        response = await client.patch(
            url, json={"mood": 3}, headers={**sam.headers, "If-Match": header}
        )
        assert response.status_code == status, (header, response.text)


async def test_an_entity_tag_may_hold_a_comma(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    created = created_entry(await post_entry(client, sam))
    url = f"/v1/me/entries/{created['id']}"
    response = await client.patch(
        url, json={"mood": 3}, headers={**sam.headers, "If-Match": '"a,b" , "1"'}
    )
    assert response.status_code == 200, response.text
