"""Attachment downloads from Discord's CDN only: a URL from a message is never trusted to
name any other host, a redirect is followed only to the CDN hosts (one elsewhere is refused,
and the person told), and the size is capped while reading."""

from __future__ import annotations

import ipaddress
import logging
from urllib.parse import urljoin, urlsplit

import aiohttp

from bot.errors import AttachmentRefused
from bot.types import Attachment

log = logging.getLogger(__name__)

_CHUNK = 64 * 1024
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_HOPS = 3


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed_url(url: str, hosts: frozenset[str]) -> bool:
    """``https`` on one of ``hosts`` (``host`` or ``host:port``); plain ``http`` only on a
    loopback host listed with its port (an emulator or a local proxy)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return False
    if not host or parts.username or parts.password:
        return False
    with_port = f"{host}:{port}" if port is not None else None
    if parts.scheme == "https":
        return host in hosts or with_port in hosts
    return parts.scheme == "http" and _is_loopback(host) and with_port in hosts


class AttachmentFetcher:
    """Downloads attachments without any credentials (the CDN URLs are signed)."""

    def __init__(self, *, hosts: frozenset[str], max_bytes: int, timeout: float = 60.0) -> None:
        self.hosts = hosts
        self.max_bytes = max_bytes
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def fetch(self, attachment: Attachment) -> bytes:
        if not allowed_url(attachment.url, self.hosts):
            log.warning("refused to fetch %r: not on Discord's CDN", attachment.name)
            raise AttachmentRefused("file.not_on_discord", name=attachment.name)
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout, trust_env=False)
        url = attachment.url
        for _ in range(_MAX_HOPS + 1):
            async with self._session.get(url, allow_redirects=False) as response:
                if response.status in _REDIRECTS and "Location" in response.headers:
                    url = urljoin(url, response.headers["Location"])
                    if not allowed_url(url, self.hosts):
                        host = urlsplit(url).hostname or "?"
                        log.warning("refused %r: redirected to %s", attachment.name, host)
                        raise AttachmentRefused("file.redirected", name=attachment.name, host=host)
                    continue
                if response.status != 200:
                    raise OSError(f"CDN answered {response.status} for {attachment.name}")
                data = bytearray()
                async for chunk in response.content.iter_chunked(_CHUNK):
                    data += chunk
                    if len(data) > self.max_bytes:
                        raise ValueError(f"{attachment.name} is larger than {self.max_bytes} bytes")
                return bytes(data)
        raise OSError(f"too many redirects for {attachment.name}")

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
