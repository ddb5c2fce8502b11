"""Which language to answer a person in, and the locales people's platforms told us."""

from __future__ import annotations

from typing import Protocol

from bot.i18n import pick_language
from bot.ports import People, Profiles
from bot.types import InboundMessage
from storage.records import WORKSPACE_DEFAULT


class LocaleStore(Profiles, People, Protocol):
    """The workspace's language setting and the locales people's platforms reported."""


class Languages:
    def __init__(self, store: LocaleStore) -> None:
        self._store = store
        self._locales: dict[tuple[str, str], str] = {}
        """(platform, user) → the locale last saved, so an unchanged one is not written again."""

    async def language_for(
        self,
        platform: str,
        workspace: str,
        locale: str = "",
        *,
        user: str = "",
        workspace_locale: str = "",
    ) -> str:
        """The admin's language for the workspace wins; else the person's locale (given, or
        remembered from their last interaction that carried one); else the workspace's
        (Discord's server locale); else English."""
        profile = await self._store.get_profile(platform, workspace, WORKSPACE_DEFAULT)
        setting = profile.language if profile else None
        if user and locale:
            if self._locales.get((platform, user)) != locale:
                await self._store.remember_locale(platform, user, locale)
                self._locales[(platform, user)] = locale
        elif user and setting is None:
            locale = await self._store.remembered_locale(platform, user) or ""
        return pick_language(setting, locale, workspace_locale)

    async def language_of(self, message: InboundMessage) -> str:
        return await self.language_for(
            message.platform,
            message.workspace,
            message.locale,
            user=message.user,
            workspace_locale=message.workspace_locale,
        )
