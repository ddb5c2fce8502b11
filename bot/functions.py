"""Functions the model may call: a decorator that derives a strict JSON schema from type hints
and the docstring, a registry filled from built-ins and entry-point plugins, and the runner
that turns one ``function_call`` into its ``function_call_output`` (never raising)."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import re
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any, Literal, Union, get_args, get_origin

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "assistant_bot.functions"
_MARK = "__assistant_function__"
_NAME = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


@dataclass(frozen=True)
class ToolContext:
    """Who is asking and where; a function receives it by declaring a parameter of this type."""

    platform: str
    workspace: str
    channel: str
    user: str
    user_name: str = ""
    language: str = "en"
    """The language the bot speaks with this person (for sentences a function returns)."""


@dataclass(frozen=True)
class FunctionSpec:
    name: str
    description: str
    parameters: dict[str, Any]
    func: Callable[..., Any]
    context_param: str | None = None
    timeout: float = 15.0
    platforms: frozenset[str] = frozenset()
    """Offered only on these platforms (empty: on every platform)."""

    def tool(self) -> dict[str, Any]:
        return {
            "type": "function",
            "name": self.name,
            "description": self.description,
            "parameters": self.parameters,
            "strict": True,
        }


@dataclass(frozen=True)
class FunctionCall:
    call_id: str
    name: str
    arguments: str


def assistant_function(
    func: Callable[..., Any] | None = None, *, name: str | None = None, timeout: float = 15.0
) -> Any:
    """Mark a function (sync or async) as callable by the model::

    @assistant_function
    def get_weather(city: str, unit: Literal["C", "F"] = "C") -> str:
        '''The current weather in a city.

        Args:
            city: the city name, e.g. "Seoul"
            unit: temperature unit
        '''
    """

    def mark(target: Callable[..., Any]) -> Callable[..., Any]:
        setattr(target, _MARK, describe(target, name=name, timeout=timeout))
        return target

    return mark(func) if func is not None else mark


def describe(
    func: Callable[..., Any], *, name: str | None = None, timeout: float = 15.0
) -> FunctionSpec:
    """The FunctionSpec of ``func``: strict JSON schema from its hints and docstring."""
    fname = name or func.__name__
    if not _NAME.match(fname):
        raise ValueError(f"invalid function name {fname!r}")
    summary, arg_docs = _parse_docstring(inspect.getdoc(func) or "")
    hints = typing.get_type_hints(func)
    properties: dict[str, Any] = {}
    context_param = None
    for param in inspect.signature(func).parameters.values():
        hint = hints.get(param.name, str)
        if hint is ToolContext:
            context_param = param.name
            continue
        schema = _schema(hint)
        if param.name in arg_docs:
            schema["description"] = arg_docs[param.name]
        properties[param.name] = schema
    parameters = {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }
    return FunctionSpec(fname, summary or fname, parameters, func, context_param, timeout)


def _parse_docstring(doc: str) -> tuple[str, dict[str, str]]:
    summary = doc.partition("\n\n")[0]
    args: dict[str, str] = {}
    in_args = False
    for line in doc.splitlines():
        stripped = line.strip()
        if stripped.lower() in ("args:", "arguments:", "parameters:"):
            in_args = True
            continue
        if in_args:
            match = re.match(r"^(\w+)(?:\s*\([^)]*\))?\s*:\s*(.+)$", stripped)
            if match:
                args[match.group(1)] = match.group(2)
            elif stripped and not line.startswith((" ", "\t")):
                in_args = False
    return " ".join(summary.split()), args


def _schema(hint: Any) -> dict[str, Any]:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(hint) if a is not type(None)]
        inner: dict[str, Any] = (
            _schema(options[0]) if len(options) == 1 else {"anyOf": [_schema(o) for o in options]}
        )
        if type(None) in get_args(hint):
            if "type" in inner and isinstance(inner["type"], str):
                inner["type"] = [inner["type"], "null"]
            else:
                inner = {"anyOf": [inner, {"type": "null"}]}
        return inner
    if origin is Literal:
        values = list(get_args(hint))
        return {"type": _json_type(type(values[0])), "enum": values}
    if origin in (list, tuple, set, frozenset) or hint in (list, tuple):
        items = get_args(hint)
        return {"type": "array", "items": _schema(items[0]) if items else {"type": "string"}}
    return {"type": _json_type(hint)}


def _json_type(hint: Any) -> str:
    mapping = {str: "string", int: "integer", float: "number", bool: "boolean"}
    if hint in mapping:
        return mapping[hint]
    raise TypeError(f"unsupported parameter type for a model function: {hint!r}")


class FunctionRegistry:
    def __init__(self, specs: Iterable[FunctionSpec] = ()) -> None:
        self._specs: dict[str, FunctionSpec] = {}
        for spec in specs:
            self.add(spec)

    def add(self, item: FunctionSpec | Callable[..., Any]) -> None:
        spec = item if isinstance(item, FunctionSpec) else getattr(item, _MARK, None)
        if spec is None:
            spec = describe(item)  # type: ignore[arg-type]
        if spec.name in self._specs:
            log.warning("function %r registered twice; keeping the first", spec.name)
            return
        self._specs[spec.name] = spec

    def replace(self, spec: FunctionSpec) -> None:
        """Add ``spec``, or replace the function of that name (one the bot itself rebuilds)."""
        self._specs[spec.name] = spec

    def names(self) -> list[str]:
        return sorted(self._specs)

    def get(self, name: str) -> FunctionSpec | None:
        return self._specs.get(name)

    def tools(self, enabled: Iterable[str], platform: str | None = None) -> list[dict[str, Any]]:
        return [
            spec.tool()
            for spec in (self._specs[n] for n in self.enabled_names(enabled))
            if platform is None or not spec.platforms or platform in spec.platforms
        ]

    def enabled_names(self, enabled: Iterable[str]) -> list[str]:
        """``functions`` enables every function; ``fn:NAME`` one of them."""
        wanted = set(enabled)
        if "functions" in wanted:
            return self.names()
        return [n for n in self.names() if f"fn:{n}" in wanted]

    def load_plugins(self) -> None:
        """Add the functions that installed packages declare in the entry-point group."""
        for entry in entry_points(group=ENTRY_POINT_GROUP):
            try:
                loaded = entry.load()
            except Exception:
                log.exception("could not load function plugin %s", entry.value)
                continue
            items = loaded if isinstance(loaded, list | tuple) else [loaded]
            for item in items:
                try:
                    self.add(item)
                    log.info(
                        "function plugin %s loaded from %s",
                        getattr(item, "__name__", item),
                        entry.value,
                    )
                except (TypeError, ValueError):
                    log.exception("function plugin %s is not usable", entry.value)

    async def call(self, call: FunctionCall, context: ToolContext) -> str:
        """Run one call; any failure becomes an error text for the model (and a log line)."""
        spec = self._specs.get(call.name)
        if spec is None:
            return _error(f"unknown function {call.name!r}")
        try:
            arguments = json.loads(call.arguments or "{}")
            if not isinstance(arguments, dict):
                raise ValueError("arguments must be a JSON object")
        except ValueError as exc:
            return _error(f"invalid arguments: {exc}")
        if spec.context_param:
            arguments[spec.context_param] = context
        try:
            if inspect.iscoroutinefunction(spec.func):
                pending = spec.func(**arguments)
            else:
                pending = asyncio.to_thread(spec.func, **arguments)
            result = await asyncio.wait_for(pending, timeout=spec.timeout)
        except TimeoutError:
            log.warning("function %s timed out after %.1fs", spec.name, spec.timeout)
            return _error(f"{spec.name} did not finish within {spec.timeout:g} seconds")
        except Exception as exc:
            log.warning("function %s raised %s", spec.name, type(exc).__name__, exc_info=True)
            return _error(f"{spec.name} failed: {type(exc).__name__}: {exc}")
        return result if isinstance(result, str) else json.dumps(result, default=str)


def _error(message: str) -> str:
    return json.dumps({"error": message})
