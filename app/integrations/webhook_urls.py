"""Where a webhook may point: `https`, and a host that resolves only to public addresses
(not loopback, private, link-local, the cloud metadata service, multicast or reserved), so
that the service cannot be made to call into its own network (SSRF). Checked at creation
and, later, before each delivery (the name may resolve elsewhere by then).

`JOURNAL_WEBHOOK_ALLOW_PRIVATE_URLS=true` lifts both rules, for development and tests."""

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

from app.errors import InvalidInput

RESOLVE_TIMEOUT_SECONDS = 3.0


def _refused(message: str) -> InvalidInput:
    return InvalidInput("body.url", message, "webhook-url-refused")


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def _addresses(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    try:
        infos = await asyncio.wait_for(
            loop.getaddrinfo(host, port, type=socket.SOCK_STREAM), RESOLVE_TIMEOUT_SECONDS
        )
    except (OSError, TimeoutError, UnicodeError):
        return []
    return [str(info[4][0]) for info in infos]


async def check_webhook_url(url: str, *, allow_private: bool) -> None:
    """422 `webhook-url-refused` unless `url` may receive webhooks."""
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise _refused("The URL is not valid.") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise _refused("The URL must be an absolute https URL.")
    if parts.username or parts.password:
        raise _refused("The URL must not carry credentials.")
    if allow_private:
        return
    if parts.scheme != "https":
        raise _refused("The URL must use https.")
    addresses = await _addresses(parts.hostname, port)
    if not addresses:
        raise _refused("The URL's host does not resolve.")
    if not all(_public(address) for address in addresses):
        raise _refused("The URL's host resolves to a loopback, private or reserved address.")
