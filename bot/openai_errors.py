"""Translate the ``openai`` SDK's errors into ours, at the one place they enter our code."""

from __future__ import annotations

import openai

from bot.errors import (
    ConversationBusy,
    ModelFailed,
    ModelUnavailable,
    RateLimited,
    RunError,
    StreamInterrupted,
)


def _code(exc: openai.APIError) -> str | None:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("code"), str):
            return str(inner["code"])
    code = getattr(exc, "code", None)
    return code if isinstance(code, str) else None


def translate(exc: openai.OpenAIError, *, streaming: bool = False) -> RunError:
    """One of our RunErrors for an SDK error; ``streaming`` means the answer had begun."""
    if isinstance(exc, openai.RateLimitError) and _code(exc) == "insufficient_quota":
        # A 429 too, but waiting does not help: the account is out of credit or quota.
        return ModelFailed(f"OpenAI quota: {exc.message}", key="error.openai_quota")
    if isinstance(exc, openai.RateLimitError):
        retry_after = None
        header = exc.response.headers.get("retry-after")
        if header:
            try:
                retry_after = float(header)
            except ValueError:
                retry_after = None
        return RateLimited(f"OpenAI rate limit: {exc.message}", retry_after=retry_after)
    if isinstance(exc, openai.BadRequestError) and _code(exc) == "conversation_locked":
        return ConversationBusy(exc.message)
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return ModelFailed(
            f"OpenAI refused the credentials: {exc.message}",
            key="error.credentials",
        )
    if isinstance(exc, openai.APIConnectionError):  # includes APITimeoutError
        if streaming:
            return StreamInterrupted(str(exc))
        return ModelUnavailable(str(exc))
    if isinstance(exc, openai.InternalServerError):
        return ModelUnavailable(exc.message)
    if isinstance(exc, openai.APIStatusError):
        return ModelFailed(f"OpenAI answered {exc.status_code}: {exc.message}")
    if isinstance(exc, openai.APIError):
        return ModelFailed(f"model error: {exc.message} ({_code(exc) or 'no code'})")
    return ModelFailed(f"OpenAI SDK error: {exc}")
