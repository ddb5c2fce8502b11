"""The HTTP entry point of Slack's HTTP mode: verify on the raw bytes, then parse.

Bolt parses a request's body before it checks the signature, so junk from anyone (a body that
is not JSON, a timestamp that is not a number) raised inside Bolt: a 500 and a traceback per
request. Here the signature and timestamp are checked first, on the bytes as received:

* anything not signed with our secret within five minutes → 401, one DEBUG line;
* signed but not something Bolt can take (not UTF-8, not JSON or a form, not an object, an
  ``event_callback`` whose ``event`` is not an object) → 200 and one WARNING line. A signed
  request comes from Slack (or a replay within five minutes); Slack retries every delivery not
  answered with a 2xx, up to three times, and counts failures against the app, so a 4xx would
  only bring the same useless body back three more times;
* the rest goes to Bolt, which verifies again and dispatches (a listener that fails still
  answers 500 on purpose: the message was not persisted, and Slack's retry brings it back).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

log = logging.getLogger(__name__)

MAX_SKEW = 300
"""Seconds a request's timestamp may be off (Slack's and Bolt's five minutes)."""

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")

Dispatch = Callable[[AsyncBoltRequest], Awaitable[BoltResponse]]


def signed(secret: str, body: bytes, headers: Mapping[str, str], now: float) -> bool:
    """Whether ``body`` carries Slack's signature made with ``secret`` in the last five minutes.
    Every header is checked for its shape before use, so no input can raise."""
    stamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not secret or not _TIMESTAMP.fullmatch(stamp) or not _SIGNATURE.fullmatch(signature):
        return False
    if abs(now - int(stamp)) > MAX_SKEW:
        return False
    base = b"v0:" + stamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def unhandled(text: str, content_type: str) -> str | None:
    """Why a signed body is not something the app handles, or None when Bolt may take it.
    Mirrors Bolt's own parsing (``slack_bolt.request.internals.parse_body``)."""
    if not text:
        return "an empty body"
    try:
        if content_type == "application/json" or text.startswith("{"):
            body: Any = json.loads(text)
        else:
            form = dict(parse_qsl(text, keep_blank_values=True))
            if "payload" in text:
                payload = form.get("payload")
                body = json.loads(payload) if payload is not None else {}
            else:
                body = form
    except ValueError:
        return "not JSON or a form"
    if not isinstance(body, dict):
        return f"a JSON {type(body).__name__}, not an object"
    if not all(isinstance(key, str) for key in body):
        return "an object with odd keys"
    if body.get("type") == "event_callback" and not isinstance(body.get("event"), dict):
        return "an event_callback without an event object"
    for name in ("team_id", "api_app_id", "event_id", "type"):
        if name in body and not isinstance(body[name], str | None):
            return f"{name} is not a string"
    for name in ("event", "team", "user", "channel", "view", "enterprise"):
        if name in body and not isinstance(body[name], dict | None):
            return f"{name} is not an object"
    authorizations = body.get("authorizations")
    if authorizations is not None and not (
        isinstance(authorizations, list) and all(isinstance(a, dict) for a in authorizations)
    ):
        return "authorizations is not a list of objects"
    return None


class EventsEndpoint:
    """``POST /slack/events``: the aiohttp handler in front of Bolt."""

    def __init__(
        self, *, secret: str, dispatch: Dispatch, clock: Callable[[], float] = time.time
    ) -> None:
        self._secret = secret
        self._dispatch = dispatch
        self._clock = clock

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        if not signed(self._secret, raw, request.headers, self._clock()):
            log.debug("refused an unsigned or stale request to %s", request.path)
            return web.Response(status=401, text="invalid signature")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            return self._ignored("not UTF-8")
        content_type = request.content_type
        reason = unhandled(text, content_type)
        if reason is not None:
            return self._ignored(reason)
        try:
            bolt_request = AsyncBoltRequest(
                body=text,
                query=request.query_string,
                headers=dict(request.headers),
            )
            # Bolt answers a listener's failure itself (500: Slack delivers again); what
            # raises out of it is a payload shape its own parsing cannot read.
            response = await self._dispatch(bolt_request)
        except Exception as exc:
            return self._ignored(f"unreadable ({type(exc).__name__})")
        return await to_aiohttp_response(response)

    def _ignored(self, reason: str) -> web.Response:
        log.warning("ignored a signed Slack request: %s", reason)
        return web.Response(status=200, text="")
