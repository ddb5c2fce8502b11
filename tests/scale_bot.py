"""``assistant-bot run`` with Slack's per-minute limits on a shorter clock, for the tests and
the benchmark of several processes (``tests/test_scale_slack.py``, ``bench/scale.py``).

    SCALE_SLACK_WINDOW=6 python -m tests.scale_bot run     # configured by the environment

Slack's tiers are per minute and per workspace: one workspace shows at most about 70 answers
a minute (20 native streams, Tier 2, and 50 ``chat.update``, Tier 3), so 200 answers take
three minutes whatever the bot does. The tests scale the emulator's per-minute tiers to
``SCALE_SLACK_WINDOW - 1`` seconds, and this process budgets the same calls per
``SCALE_SLACK_WINDOW`` seconds: the second of margin Slack's real window gets (61 s against
60 s) stays a second. Everything else is the real command (``app.cli``), including the
budgets shared through the database.

``SCALE_UNSHARED=1`` gives each process budgets of its own (as if they were not shared), to
show what sharing prevents (``bench/scale.py --unshared``).
"""

from __future__ import annotations

import os
import sys
from dataclasses import replace

from adapters.slack import SLACK_LIMITS, SlackService
from adapters.slack import platform as slack_platform
from adapters.slack import service as slack_service
from app import cli, wiring
from bot.budget_registry import BudgetRegistry
from bot.config import Settings


def main() -> int:
    window = float(os.environ["SCALE_SLACK_WINDOW"])
    limits = replace(SLACK_LIMITS, window=window)
    slack_platform.QUOTA_WINDOW = slack_service.QUOTA_WINDOW = window

    def services(settings: Settings, only: str | None = None) -> list[SlackService]:
        return [SlackService.from_settings(settings, limits=limits)]

    wiring.configured_services = services  # type: ignore[assignment]
    if os.environ.get("SCALE_UNSHARED") == "1":
        wiring.budgets_for = lambda store, worker, **_: BudgetRegistry()  # type: ignore[assignment]
    return cli.main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
