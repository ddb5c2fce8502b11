"""Who a Slack user is to the bot: an admin or not, and their locale (``users.info``, cached).

Slack sends neither with a message or a slash command. A workspace admin or owner is an admin
of the bot, and so is anyone in ``ADMIN_USER_IDS``. A lookup never holds an acknowledgement
up for long: past ``wait`` seconds the caller goes on without it (English, not an admin unless
listed), and the answer, when it comes, is cached for the next message.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.calls import call

log = logging.getLogger(__name__)

_ADMIN_FLAGS = ("is_admin", "is_owner", "is_primary_owner")
_RETRY_AFTER = 30.0  # seconds before a failed lookup is tried again


@dataclass(frozen=True)
class SlackUser:
    is_admin: bool = False
    locale: str = ""
    name: str = ""
    """How Slack shows them (display name, else real name, else handle); '' if unknown."""

    @property
    def roles(self) -> tuple[str, ...]:
        """The roles quotas can be set for on Slack: ``admin`` (the bot's admins) or
        ``member``."""
        return ("admin",) if self.is_admin else ("member",)


class UserDirectory:
    def __init__(
        self, client: AsyncWebClient, admin_ids: frozenset[str] = frozenset(), ttl: float = 600.0
    ) -> None:
        self._client = client
        self._admin_ids = admin_ids
        self._ttl = ttl
        self._cache: dict[tuple[str, str], tuple[float, SlackUser]] = {}
        self._pending: dict[tuple[str, str], asyncio.Task[SlackUser]] = {}

    async def get(self, team: str, user: str, *, wait: float = 2.0) -> SlackUser:
        key = (team, user)
        cached = self._cache.get(key)
        if cached is not None and time.monotonic() - cached[0] < self._ttl:
            return cached[1]
        task = self._pending.get(key)
        if task is None:
            task = self._pending[key] = asyncio.create_task(self._fetch(key))
        try:
            return await asyncio.wait_for(asyncio.shield(task), wait)
        except TimeoutError:
            log.info("users.info is slow; going on without it for %s", user)
            return cached[1] if cached is not None else SlackUser(user in self._admin_ids)

    async def _fetch(self, key: tuple[str, str]) -> SlackUser:
        user = key[1]
        try:
            response = await call(self._client.users_info, user=user, include_locale=True)
            info = response.get("user") or {}
            profile = info.get("profile") or {}
            found = SlackUser(
                is_admin=user in self._admin_ids or any(info.get(f) for f in _ADMIN_FLAGS),
                locale=str(info.get("locale") or ""),
                name=str(
                    profile.get("display_name")
                    or profile.get("real_name")
                    or info.get("real_name")
                    or info.get("name")
                    or ""
                ),
            )
        except Exception as exc:  # a guess now beats holding a message up
            log.info("users.info failed for %s (%s)", user, exc)
            found = SlackUser(user in self._admin_ids)
            self._cache[key] = (time.monotonic() - self._ttl + _RETRY_AFTER, found)
            return found
        finally:
            self._pending.pop(key, None)
        self._cache[key] = (time.monotonic(), found)
        return found

    async def close(self) -> None:
        for task in list(self._pending.values()):
            task.cancel()
        await asyncio.gather(*self._pending.values(), return_exceptions=True)
