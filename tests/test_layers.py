"""The layers hold: app → adapters → bot → storage, each importing only its own layer and those
below; the core imports no platform SDK and no concrete store; no two product modules import
each other, directly or round a circle. Every import counts: at the top, inside a function,
or under ``TYPE_CHECKING`` (a circle that only the type checker sees is still a circle)."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

LAYERS = {"storage": 0, "bot": 1, "adapters": 2, "app": 3}
"""Product packages, lowest first: a module imports from its own layer and those below."""

FORBIDDEN = {
    "bot": ("slack_bolt", "slack_sdk", "discord", "storage.sqlite", "storage.postgres",
            "storage.postgres_rates", "storage.store", "storage.store_from_url"),
    "storage": ("slack_bolt", "slack_sdk", "discord", "openai"),
}  # fmt: skip
"""Per layer, what it must not import even though it is not a product layer above it: the
platforms' SDKs, and for the core the concrete store (the composition root picks it)."""


def product_modules(root: Path, packages: Sequence[str]) -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for package in packages:
        for file in sorted((root / package).rglob("*.py")):
            parts = list(file.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = file
    return modules


def imported_names(module: str, file: Path) -> Iterator[str]:
    """Every dotted name the module imports (``from a import b`` gives ``a.b``: a module, or a
    name in module ``a``)."""
    package = module if file.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(file.read_text(), str(file))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _owner(name: str, modules: Mapping[str, Path]) -> str | None:
    """The product module a dotted name lives in (``bot.types.Platform`` → ``bot.types``)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _matches(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def import_graph(modules: Mapping[str, Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, file in modules.items():
        owners = {_owner(name, modules) for name in imported_names(module, file)}
        graph[module] = {o for o in owners if o is not None and o != module}
    return graph


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def layer_violations(root: Path, layers: Mapping[str, int] = LAYERS) -> list[str]:
    """Every upward or forbidden import and every import circle under ``root``, one line each."""
    modules = product_modules(root, list(layers))
    problems: list[str] = []
    for module, file in modules.items():
        own = layers[module.split(".")[0]]
        for name in set(imported_names(module, file)):
            target = _owner(name, modules)
            if target is not None and layers[target.split(".")[0]] > own:
                problems.append(f"{module} imports {target}, a layer above it")
            for banned in FORBIDDEN.get(module.split(".")[0], ()):
                if _matches(name, banned):
                    problems.append(f"{module} imports {banned}, which its layer must not")
    for circle in cycles(import_graph(modules)):
        problems.append("import circle: " + " ↔ ".join(circle))
    return sorted(set(problems))


def test_the_product_code_keeps_its_layers() -> None:
    assert layer_violations(REPO) == []


def _tree(root: Path, files: Mapping[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


CLEAN = {
    "app/__init__.py": "",
    "app/cli.py": "from adapters.slack import service\nfrom bot import engine\n",
    "adapters/__init__.py": "",
    "adapters/slack/__init__.py": "",
    "adapters/slack/service.py": "import slack_bolt\nfrom bot.engine import Engine\n",
    "bot/__init__.py": "",
    "bot/engine.py": "from bot.turn import Turn\nfrom storage.base import Store\n",
    "bot/turn.py": "from . import types\n",
    "bot/types.py": "from storage.records import Job\n",
    "storage/__init__.py": "from storage.base import Store\n",
    "storage/base.py": "from storage.records import Job\n",
    "storage/records.py": "import dataclasses\n",
    "storage/sqlite.py": "from storage.base import Store\n",
}


def test_a_clean_tree_passes(tmp_path: Path) -> None:
    assert layer_violations(_tree(tmp_path, CLEAN)) == []


def test_upward_and_forbidden_imports_and_circles_are_found(tmp_path: Path) -> None:
    planted = {
        **CLEAN,
        # The core reaching up to an adapter, lazily, and to the composition root.
        "bot/engine.py": "def f():\n    from adapters.slack.service import X\nimport app.cli\n",
        # Storage reaching into the core.
        "storage/base.py": "from bot.types import Platform\n",
        # A circle only the type checker sees (relative import back).
        "bot/turn.py": (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .types import T\n"
        ),
        "bot/types.py": "from bot import turn\n",
        # A platform SDK and a concrete store in the core.
        "bot/render.py": "import discord.ui\nfrom storage.sqlite import SQLiteStore\n",
        "bot/wiring.py": "from storage import store_from_url\n",
    }
    found = layer_violations(_tree(tmp_path, planted))
    assert found == sorted(
        [
            "bot.engine imports adapters.slack.service, a layer above it",
            "bot.engine imports app.cli, a layer above it",
            "storage.base imports bot.types, a layer above it",
            "bot.render imports discord, which its layer must not",
            "bot.render imports storage.sqlite, which its layer must not",
            "bot.wiring imports storage.store_from_url, which its layer must not",
            # The upward imports close circles too.
            "import circle: adapters.slack.service ↔ app.cli ↔ bot.engine",
            "import circle: bot.turn ↔ bot.types",
        ]
    )
