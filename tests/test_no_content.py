"""`204 No Content` answers carry no body and no content type."""

import httpx

from tests.conftest import Accounts
from tests.helpers import post_entry


async def test_204_answers_have_no_body_and_no_content_type(
    client: httpx.AsyncClient, accounts: Accounts
) -> None:
    sam = await accounts.make()
    created = (await post_entry(client, sam)).json()
    answers = [
        await client.delete(f"/v1/me/entries/{created['id']}", headers=sam.headers),
        await client.post("/v1/auth/logout", headers=sam.headers),
    ]
    for response in answers:
        assert response.status_code == 204
        assert response.content == b""
        assert "content-type" not in response.headers
        assert response.headers.get("content-length", "0") == "0"
