"""The interactive docs work in a clinic without internet: no asset comes from another host."""

import re

import httpx
import pytest

ASSET = re.compile(r"""(?:src|href)=['"]([^'"]+)['"]|url:\s*['"]([^'"]+)['"]""")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_pages_load_every_asset_from_the_service_itself(
    client: httpx.AsyncClient, page: str
) -> None:
    response = await client.get(page)
    assert response.status_code == 200
    html = response.text
    assert "cdn" not in html.lower()
    assert not re.search(r"https?://", html), html
    assets = [a or b for a, b in ASSET.findall(html)]
    assert any(path.endswith(".js") for path in assets), assets
    for path in assets:
        assert path.startswith("/"), path
        asset = await client.get(path)
        assert asset.status_code == 200, path
        assert len(asset.content) > 1000, path


async def test_swagger_oauth2_redirect_page_is_served(client: httpx.AsyncClient) -> None:
    response = await client.get("/docs/oauth2-redirect")
    assert response.status_code == 200 and "oauth2" in response.text.lower()
