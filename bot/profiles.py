"""The effective assistant profile for a channel: channel override → the parent channel's
override (in a thread) → workspace → settings."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field, replace
from typing import Any

from bot.config import RunMode, Settings
from bot.ports import Profiles
from storage.records import WORKSPACE_DEFAULT, Profile, ProfileChange


@dataclass(frozen=True)
class EffectiveProfile:
    model: str
    instructions: str
    tools: tuple[str, ...]
    run_mode: RunMode
    tutor: str | None = None
    """The tutor policy that applies, as JSON (``bot.tutor``), or None."""
    model_api: str = "responses"
    base_url: str | None = None
    """The Chat Completions server; ``None`` = the deployment's ``OPENAI_BASE_URL``."""
    key: str = ""
    """Which profile the thread belongs to: ``""`` for the workspace's, else the id of the
    most specific channel with an override (a thread's own, else its parent's)."""
    sources: dict[str, str] = field(default_factory=dict)


async def resolve_profile(
    store: Profiles,
    settings: Settings,
    platform: str,
    workspace: str,
    channel: str,
    parent: str = "",
) -> EffectiveProfile:
    values: dict[str, object] = {
        "model": settings.assistant_model,
        "instructions": settings.assistant_instructions,
        "tools": settings.tools,
        "run_mode": settings.assistant_run_mode,
        "tutor": None,
        "model_api": settings.model_api,
        "base_url": None,
    }
    sources = dict.fromkeys(values, "settings")
    layers: list[tuple[str, Profile | None]] = [
        ("workspace", await store.get_profile(platform, workspace, WORKSPACE_DEFAULT)),
    ]
    key = ""
    for source, scope in (("parent", parent), ("channel", channel)):
        if scope and scope != WORKSPACE_DEFAULT:
            profile = await store.get_profile(platform, workspace, scope)
            layers.append((source, profile))
            if profile is not None:
                key = scope
    for source, profile in layers:
        if profile is None:
            continue
        for name in values:
            value = getattr(profile, name)
            if value is not None:
                values[name] = value
                sources[name] = source
    return EffectiveProfile(
        model=str(values["model"]),
        instructions=str(values["instructions"]),
        tools=tuple(values["tools"]),  # type: ignore[arg-type]
        run_mode=RunMode(str(values["run_mode"])),
        tutor=values["tutor"] if isinstance(values["tutor"], str) else None,
        key=key,
        model_api=str(values["model_api"]),
        base_url=values["base_url"] if isinstance(values["base_url"], str) else None,
        sources=sources,
    )


PROFILE_FIELDS = (
    "model",
    "instructions",
    "tools",
    "run_mode",
    "language",
    "prompts",
    "retention_days",
    "tutor",
    "model_api",
    "base_url",
)


async def change_profile(
    store: Profiles,
    *,
    platform: str,
    workspace: str,
    channel: str,
    field_name: str,
    value: object,
    changed_by: str,
) -> ProfileChange:
    """Set one field of one profile (``None`` = inherit) and record the change."""
    if field_name not in PROFILE_FIELDS:
        raise ValueError(f"unknown profile field {field_name!r}")
    current = await store.get_profile(platform, workspace, channel) or Profile(
        platform, workspace, channel
    )
    if isinstance(value, list):
        value = tuple(value)
    old = getattr(current, field_name)
    changes: dict[str, Any] = {field_name: value}
    updated = replace(current, updated_by=changed_by, updated_at=time.time(), **changes)
    await store.save_profile(updated)
    return await store.record_profile_change(
        ProfileChange(
            platform, workspace, channel, field_name, _json(old), _json(value), changed_by
        )
    )


def _json(value: object) -> str | None:
    if value is None:
        return None
    return json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)


def change_value(encoded: str | None) -> object:
    return None if encoded is None else json.loads(encoded)
