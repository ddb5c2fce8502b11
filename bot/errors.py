"""The bot's own errors, translated from SDK errors where they enter our code.

    BotError
    ├── ConfigError            a missing or malformed setting (one line naming it)
    ├── StorageError           the database could not be opened or migrated
    ├── AttachmentRefused      an attachment the bot will not fetch (e.g. not on the platform's
    │                          file host); its message is shown to the person as a notice
    └── RunError               a turn could not be completed; ``user_message`` is shown
        ├── ModelUnavailable   OpenAI kept failing (5xx, timeouts) after the SDK's retries
        ├── RateLimited        OpenAI or a platform said 429; carries ``retry_after`` seconds
        ├── ConversationBusy   another response runs on the conversation (conversation_locked)
        ├── ModelFailed        the model reported an error event / ``response.failed``
        └── StreamInterrupted  the connection dropped in the middle of a streamed answer

The person never sees exception text or a traceback: each RunError carries one friendly
sentence, and the log carries the details.
"""

from __future__ import annotations


class BotError(Exception):
    """Base of every error the bot raises on purpose."""


class ConfigError(BotError):
    """A setting is missing or malformed; the message names the variable."""


class StorageError(BotError):
    """The Store could not be opened or its schema upgraded."""


class AttachmentRefused(BotError):
    """An adapter will not download this attachment; ``str(exc)`` is a sentence for the person."""


class RunError(BotError):
    user_message = "Sorry, something went wrong while answering. Please try again."
    retryable = False

    def __init__(self, detail: str = "", *, user_message: str | None = None) -> None:
        super().__init__(detail or self.user_message)
        if user_message is not None:
            self.user_message = user_message


class ModelUnavailable(RunError):
    user_message = "The AI service is not answering right now. Please try again in a minute."
    retryable = True


class RateLimited(RunError):
    user_message = "The AI service is busy (rate limited). Please try again shortly."
    retryable = True

    def __init__(self, detail: str = "", *, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class ConversationBusy(RunError):
    user_message = "Your previous answer is still being written. Please try again in a moment."
    retryable = True


class ModelFailed(RunError):
    user_message = "The AI model ran into an error while answering. Please try again."


class StreamInterrupted(RunError):
    user_message = "The connection to the AI service dropped before the answer was finished."
    retryable = True
