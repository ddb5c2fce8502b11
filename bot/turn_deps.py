"""What answering one job needs, handed to each turn by the composition root's engine."""

from __future__ import annotations

from dataclasses import dataclass

from bot.backends import Backends
from bot.budget_registry import BudgetRegistry
from bot.config import Settings
from bot.functions import FunctionRegistry
from bot.language import Languages
from bot.metrics import Metrics
from bot.ports import Store


@dataclass(frozen=True)
class TurnDeps:
    store: Store
    settings: Settings
    backends: Backends
    """The model backend a profile uses; ``backends.responses`` follows and cancels responses."""
    functions: FunctionRegistry
    budgets: BudgetRegistry
    """The platforms' edit budgets, shared by every reply in flight."""
    metrics: Metrics
    languages: Languages
