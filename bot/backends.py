"""Which model backend a profile uses: the deployment's Responses backend, or a Chat
Completions backend for the deployment's server or one of the servers the deployer listed."""

from __future__ import annotations

import logging

from bot.chat_backend import ChatBackend
from bot.config import Settings
from bot.model_backend import ModelBackend
from bot.openai_backend import OpenAIBackend
from bot.ports import ChatHistory
from bot.profiles import EffectiveProfile

log = logging.getLogger(__name__)


class Backends:
    def __init__(self, responses: OpenAIBackend, history: ChatHistory, settings: Settings) -> None:
        self.responses = responses
        self._history = history
        self._settings = settings
        self._chat: dict[str | None, ChatBackend] = {}
        hosted = [
            t
            for t in settings.tools
            if t in ("code_interpreter", "file_search", "web_search", "image_generation")
        ]
        if settings.model_api == "chat_completions" and hosted:
            log.info(
                "MODEL_API=chat_completions: %s in ASSISTANT_TOOLS stay off (the server has none)",
                ", ".join(hosted),
            )

    def base_url_allowed(self, url: str | None) -> bool:
        return url is None or url.rstrip("/") in self._settings.base_urls

    def for_profile(self, profile: EffectiveProfile) -> ModelBackend:
        if profile.model_api != "chat_completions":
            return self.responses
        url = profile.base_url.rstrip("/") if profile.base_url else None
        if not self.base_url_allowed(url):
            # Saved when it was listed, since taken off MODEL_BASE_URLS: the key goes nowhere
            # the deployer did not list.
            log.warning("profile server %s is no longer in MODEL_BASE_URLS; using the default", url)
            url = None
        backend = self._chat.get(url)
        if backend is None:
            # A copy shares the HTTP connection pool, the key and the retry settings.
            client = self.responses.client
            if url is not None:
                client = client.with_options(base_url=url)
            backend = ChatBackend(
                client, self._history, history_tokens=self._settings.chat_history_tokens
            )
            self._chat[url] = backend
        return backend

    def describe(self, profile: EffectiveProfile) -> str:
        """For ``config show``: the API and, for Chat Completions, the server."""
        if profile.model_api != "chat_completions":
            return "responses"
        url = profile.base_url if self.base_url_allowed(profile.base_url) else None
        server = url or self._settings.openai_base_url or "https://api.openai.com/v1"
        return f"chat_completions ({server})"
