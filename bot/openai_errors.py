"""Translate the ``openai`` SDK's errors into ours, at the one place they enter our code."""

from __future__ import annotations

import openai

from bot.errors import (
    ContextTooLong,
    ConversationBusy,
    ModelFailed,
    ModelNotFound,
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


def is_context_length(exc: openai.OpenAIError) -> bool:
    """The request did not fit the model's context. OpenAI says ``context_length_exceeded``;
    vLLM and LiteLLM say "maximum context length" in a plain 400."""
    if not isinstance(exc, openai.APIError):
        return False
    if _code(exc) == "context_length_exceeded":
        return True
    text = (exc.message or "").lower()
    return isinstance(exc, openai.BadRequestError) and (
        "maximum context length" in text or "context window" in text
    )


def _model_missing(exc: openai.APIStatusError) -> bool:
    if _code(exc) == "model_not_found":
        return True
    text = (exc.message or "").lower()
    # Ollama: 'model "x" not found, try pulling it first'; vLLM: 'The model `x` does not exist.'
    return isinstance(exc, openai.NotFoundError) and "model" in text


def translate(exc: openai.OpenAIError, *, streaming: bool = False, model: str = "") -> RunError:
    """One of our RunErrors for an SDK error; ``streaming`` means the answer had begun."""
    if isinstance(exc, openai.RateLimitError) and _code(exc) == "insufficient_quota":
        # A 429 too, but waiting does not help: the account is out of credit or quota.
        return ModelFailed(f"OpenAI quota: {exc.message}", key="error.openai_quota")
    if is_context_length(exc):
        return ContextTooLong(str(exc))
    if isinstance(exc, openai.APIStatusError) and _model_missing(exc):
        return ModelNotFound(f"no model {model!r}: {exc.message}", model=model or "?")
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
