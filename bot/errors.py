"""The bot's own errors, translated from SDK errors where they enter our code.

    BotError
    ├── ConfigError            a missing or malformed setting (one line naming it)
    ├── StorageError           the database could not be opened or migrated
    ├── AttachmentRefused      an attachment the bot will not fetch (e.g. not on the platform's
    │                          file host); its message is shown to the person as a notice
    ├── MessageGone            a reply's message was deleted while it was being written: the
    │                          reply editor continues in a new message
    ├── PlatformUnavailable    a platform call failed in a way worth trying again (5xx, a
    │                          dropped connection): the reply editor tries again
    └── RunError               a turn could not be completed; ``message_for`` is shown
        ├── ModelUnavailable   OpenAI kept failing (5xx, timeouts) after the SDK's retries
        ├── RateLimited        OpenAI or a platform said 429; carries ``retry_after`` seconds
        │                      (and names the platform, whose limit is worded apart)
        ├── ConversationBusy   another response runs on the conversation (conversation_locked)
        ├── ModelFailed        the model reported an error event / ``response.failed``
        ├── ModelNotFound      the server has no model of that name (404 / model_not_found)
        ├── ContextTooLong     the thread does not fit the model's context, even trimmed
        └── StreamInterrupted  the connection dropped in the middle of a streamed answer

The person never sees exception text or a traceback: each RunError names one friendly
sentence of the catalogue (``key``), and the log carries the details.
"""

from __future__ import annotations

from typing import Any

from bot.i18n import t


class BotError(Exception):
    """Base of every error the bot raises on purpose."""


class ConfigError(BotError):
    """A setting is missing or malformed; the message names the variable."""


class StorageError(BotError):
    """The Store could not be opened or its schema upgraded."""


class AttachmentRefused(BotError):
    """An adapter will not download this attachment; ``key`` names the sentence for the person
    in the catalogue (``str(exc)`` is it in English)."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(t("en", key, **values))
        self.key = key
        self.values = values

    def message_for(self, lang: str) -> str:
        return t(lang, self.key, **self.values)


class MessageGone(BotError):
    """The message a reply meant to edit no longer exists (Slack ``message_not_found``,
    Discord 10008 Unknown Message)."""


class PlatformUnavailable(BotError):
    """The chat platform failed to take a call (5xx, a dropped connection); it may take it
    if asked again."""


class RunError(BotError):
    key = "error.generic"
    """The catalogue key (bot/locales) of the one sentence the person sees."""

    def __init__(self, detail: str = "", *, key: str | None = None, **values: Any) -> None:
        super().__init__(detail or self.key)
        if key is not None:
            self.key = key
        self.values = values

    def message_for(self, lang: str) -> str:
        return t(lang, self.key, **self.values)


class ModelUnavailable(RunError):
    key = "error.model_unavailable"


class RateLimited(RunError):
    key = "error.rate_limited"

    def __init__(
        self, detail: str = "", *, retry_after: float | None = None, platform: str | None = None
    ) -> None:
        """``platform`` ("Slack", "Discord"): the chat platform said 429, not OpenAI, and
        the person is told so in those words."""
        if platform is None:
            super().__init__(detail)
        else:
            super().__init__(detail, key="error.platform_rate_limited", service=platform)
        self.retry_after = retry_after


class ConversationBusy(RunError):
    key = "error.busy"


class ModelFailed(RunError):
    key = "error.model_failed"


class StreamInterrupted(RunError):
    key = "error.stream_interrupted"


class ModelNotFound(ModelFailed):
    key = "error.model_not_found"


class ContextTooLong(ModelFailed):
    key = "error.context_too_long"
