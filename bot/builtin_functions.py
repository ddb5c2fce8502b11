"""Functions every deployment has: the date and time, who and where the person is, arithmetic."""

from __future__ import annotations

import ast
import datetime as dt
import math
import operator
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.functions import FunctionRegistry, ToolContext, assistant_function


@assistant_function
def current_datetime(timezone: str | None) -> str:
    """The current date, time and weekday.

    Args:
        timezone: an IANA time zone such as "Asia/Seoul" or "Europe/Paris"; null for UTC
    """
    try:
        zone = ZoneInfo(timezone) if timezone else dt.UTC
    except (ZoneInfoNotFoundError, ValueError):
        return f"Unknown time zone {timezone!r}; use an IANA name such as Asia/Seoul."
    now = dt.datetime.now(zone)
    return now.strftime(f"%A %Y-%m-%d %H:%M:%S ({timezone or 'UTC'}, UTC%z)")


@assistant_function
def conversation_info(context: ToolContext) -> dict[str, str]:
    """Where this conversation takes place and who is asking: platform, workspace or
    server, channel, and the person's id and name."""
    return {
        "platform": context.platform,
        "workspace": context.workspace,
        "channel": context.channel,
        "user_id": context.user,
        "user_name": context.user_name,
    }


_OPERATORS: dict[type, Any] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
}
_NAMES: dict[str, Any] = {
    "pi": math.pi,
    "e": math.e,
    "sqrt": math.sqrt,
    "log": math.log,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "abs": abs,
    "round": round,
}


@assistant_function
def calculate(expression: str) -> str:
    """Evaluate an arithmetic expression exactly as written (+ - * / // % **, parentheses,
    sqrt, log, sin, cos, tan, abs, round, pi, e).

    Args:
        expression: for example "(14 - 11) / 3" or "sqrt(2) * 10"
    """

    def evaluate(node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return evaluate(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
            left, right = evaluate(node.left), evaluate(node.right)
            if isinstance(node.op, ast.Pow) and abs(right) > 1000:
                raise ValueError("exponent too large")
            return _OPERATORS[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp) and type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](evaluate(node.operand))
        if isinstance(node, ast.Name) and node.id in _NAMES:
            return _NAMES[node.id]
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in _NAMES
        ):
            return _NAMES[node.func.id](*(evaluate(a) for a in node.args))
        raise ValueError(f"unsupported expression: {ast.dump(node)[:60]}")

    if len(expression) > 500:
        return "Expression too long."
    try:
        return str(evaluate(ast.parse(expression, mode="eval")))
    except (ValueError, SyntaxError, ZeroDivisionError, OverflowError, TypeError) as exc:
        return f"Cannot evaluate {expression!r}: {exc}"


BUILTINS = [current_datetime, conversation_info, calculate]


def standard_registry(*, plugins: bool = True) -> FunctionRegistry:
    """The built-ins plus every function installed plugins declare (entry points)."""
    registry = FunctionRegistry(BUILTINS)
    if plugins:
        registry.load_plugins()
    return registry
