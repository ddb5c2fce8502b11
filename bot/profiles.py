"""The effective assistant profile for a channel: channel override → workspace → settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.config import Settings
from storage.base import Store
from storage.records import WORKSPACE_DEFAULT, Profile


@dataclass(frozen=True)
class EffectiveProfile:
    model: str
    instructions: str
    tools: tuple[str, ...]
    run_mode: str
    key: str
    """Which profile the thread belongs to: ``""`` for the workspace's, else the channel id."""
    sources: dict[str, str] = field(default_factory=dict)


async def resolve_profile(
    store: Store, settings: Settings, platform: str, workspace: str, channel: str
) -> EffectiveProfile:
    values: dict[str, object] = {
        "model": settings.assistant_model,
        "instructions": settings.assistant_instructions,
        "tools": settings.tools,
        "run_mode": settings.assistant_run_mode,
    }
    sources = dict.fromkeys(values, "settings")
    layers: list[tuple[str, Profile | None]] = [
        ("workspace", await store.get_profile(platform, workspace, WORKSPACE_DEFAULT)),
    ]
    channel_profile = None
    if channel:
        channel_profile = await store.get_profile(platform, workspace, channel)
        layers.append(("channel", channel_profile))
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
        run_mode=str(values["run_mode"]),
        key=channel if channel_profile is not None else "",
        sources=sources,
    )
