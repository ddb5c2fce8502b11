"""The bot's own words in English and Korean, and which language a person gets."""

from __future__ import annotations

import logging
from typing import Any, Literal

from bot.locales import en, ko

log = logging.getLogger(__name__)

Language = Literal["en", "ko"]
LANGUAGES: dict[str, dict[str, str]] = {"en": en.MESSAGES, "ko": ko.MESSAGES}
DEFAULT: Language = "en"


def t(lang: str, key: str, *, platform: str = "", **values: Any) -> str:
    """The text for ``key`` in ``lang`` (English if the language is unknown). With ``platform``,
    a ``key@platform`` entry wins where there is one: each platform's words for its own things
    (Discord has servers where Slack has workspaces)."""
    catalogue = LANGUAGES.get(lang, LANGUAGES[DEFAULT])
    variant = f"{key}@{platform}"
    text = (
        catalogue.get(variant)
        or LANGUAGES[DEFAULT].get(variant)
        or catalogue.get(key)
        or LANGUAGES[DEFAULT][key]
    )
    return text.format(**values) if values else text


def pick_language(setting: str | None, *locales: str | None) -> Language:
    """The workspace's setting wins; else the first of ``locales`` (the person's, then the
    server's: ``ko``, ``ko-KR``) that the bot speaks; else English."""
    if setting in LANGUAGES:
        return setting  # type: ignore[return-value]
    for locale in locales:
        primary = (locale or "").replace("_", "-").split("-")[0].lower()
        if primary in LANGUAGES:
            return primary  # type: ignore[return-value]
    return DEFAULT
