"""What a person sees on opening their conversation with the assistant: a greeting (once) and
suggested prompts that fit the workspace's assistant and what the person is looking at.

Admins may write the workspace's prompts (``config prompts``, a profile setting with history
and rollback); otherwise they follow the assistant's tools. When the person looks at a channel,
"Summarise this channel" comes first. Slack shows at most four.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.config import Settings
from bot.i18n import pick_language, t
from bot.ports import People, Profiles
from bot.profiles import resolve_profile
from storage.records import WORKSPACE_DEFAULT

MAX_PROMPTS = 4
MAX_TITLE = 75
MAX_MESSAGE = 500


@dataclass(frozen=True)
class Prompt:
    """A suggested prompt: the title the person sees, the message it sends."""

    title: str
    message: str


@dataclass(frozen=True)
class Welcome:
    lang: str
    greeting: str | None
    """None when the person was greeted before."""
    title: str
    prompts: tuple[Prompt, ...]


def parse_prompts(text: str) -> tuple[Prompt, ...] | None:
    """``Title | message`` (or only a message) per line → prompts; None if more than four or
    a part is too long (a clear message is better than prompts cut where Slack cuts them)."""
    found = []
    for line in text.splitlines():
        if not line.strip():
            continue
        title, bar, message = line.partition("|")
        title, message = title.strip(), message.strip() if bar else title.strip()
        if not title or not message or len(title) > MAX_TITLE or len(message) > MAX_MESSAGE:
            return None
        found.append(Prompt(title, message))
    return tuple(found) if len(found) <= MAX_PROMPTS else None


def default_prompts(lang: str, tools: tuple[str, ...]) -> tuple[Prompt, ...]:
    names = ["explain"]
    if "code_interpreter" in tools:
        names.append("analyse")
    if "file_search" in tools:
        names.append("search")
    names.append("solve")
    return tuple(
        Prompt(t(lang, f"prompt.{n}.title"), t(lang, f"prompt.{n}.message")) for n in names
    )


class _WelcomeStore(Profiles, People, Protocol):
    """The roles a welcome reads."""


async def suggested_prompts(
    store: Profiles,
    settings: Settings,
    *,
    platform: str,
    workspace: str,
    lang: str,
    viewing_channel: bool,
) -> tuple[Prompt, ...]:
    profile = await store.get_profile(platform, workspace, WORKSPACE_DEFAULT)
    written = parse_prompts(profile.prompts) if profile and profile.prompts else None
    if written:
        prompts = written
    else:
        effective = await resolve_profile(store, settings, platform, workspace, WORKSPACE_DEFAULT)
        prompts = default_prompts(lang, effective.tools)
    if viewing_channel:
        summarise = Prompt(t(lang, "prompt.summarise.title"), t(lang, "prompt.summarise.message"))
        prompts = (summarise, *(p for p in prompts if p != summarise))
    return prompts[:MAX_PROMPTS]


async def welcome(
    store: _WelcomeStore,
    settings: Settings,
    *,
    platform: str,
    workspace: str,
    user: str,
    locale: str,
    command_prefix: str,
) -> Welcome:
    """The greeting (claimed in the Store, so one per person across restarts and processes;
    ``Store.release_greeting`` if it could not be shown) and the prompts for this moment."""
    profile = await store.get_profile(platform, workspace, WORKSPACE_DEFAULT)
    lang = pick_language(profile.language if profile else None, locale)
    first = await store.claim_greeting(platform, workspace, user)
    viewing = await store.get_viewing(platform, workspace, user)
    prompts = await suggested_prompts(
        store,
        settings,
        platform=platform,
        workspace=workspace,
        lang=lang,
        viewing_channel=viewing is not None,
    )
    return Welcome(
        lang=lang,
        greeting=t(lang, "welcome.greeting", p=command_prefix) if first else None,
        title=t(lang, "welcome.prompts_title"),
        prompts=prompts,
    )
