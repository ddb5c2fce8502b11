"""Slack: DMs, mentions and threads in, streamed replies out, on Socket Mode or HTTP."""

from adapters.slack.platform import SLACK_LIMITS, SlackPlatform
from adapters.slack.service import SlackService

__all__ = ["SLACK_LIMITS", "SlackPlatform", "SlackService"]
