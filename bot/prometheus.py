"""``Metrics`` kept in a ``prometheus_client`` registry of its own, rendered in Prometheus'
text format for ``GET /metrics``."""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from bot.metrics import COMPLETED

_SECONDS = (0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0)
"""Buckets for what a person waits: a first word within a second or two, a final answer
within tens of seconds (code runs take minutes)."""


class PrometheusMetrics:
    content_type = "text/plain; version=0.0.4; charset=utf-8"
    """What ``generate_latest`` writes, and what every Prometheus server reads (the client's
    own exposition server sends this header for it too)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.accepted = Counter(
            "assistant_messages_accepted", "Messages put in the inbox", ["platform"], registry=r
        )
        self.answers = Counter(
            "assistant_answers",
            "Answers ended, by outcome: completed, or the failure's reason",
            ["platform", "outcome"],
            registry=r,
        )
        self.model_requests = Counter(
            "assistant_model_requests", "Model requests ended", ["model", "status"], registry=r
        )
        self.tokens = Counter(
            "assistant_model_tokens", "Tokens used", ["model", "direction"], registry=r
        )
        self.platform_calls = Counter(
            "assistant_platform_api_calls",
            "HTTP calls to a platform's API",
            ["platform", "method"],
            registry=r,
        )
        self.rate_limited = Counter(
            "assistant_platform_api_rate_limited",
            "Platform API calls answered 429",
            ["platform", "method"],
            registry=r,
        )
        self.deferred = Counter(
            "assistant_reply_writes_deferred",
            "Reply writes deferred by a rate budget: progress, final or rerouted",
            ["kind"],
            registry=r,
        )
        self.inbox_depth = Gauge(
            "assistant_inbox_depth", "Messages waiting in the inbox (queued)", registry=r
        )
        self.queue_wait_seconds = Histogram(
            "assistant_queue_wait_seconds",
            "From acceptance to being taken up",
            ["platform"],
            buckets=_SECONDS,
            registry=r,
        )
        self.first_text_seconds = Histogram(
            "assistant_time_to_first_text_seconds",
            "From acceptance to the answer's first visible words",
            ["platform"],
            buckets=_SECONDS,
            registry=r,
        )
        self.final_text_seconds = Histogram(
            "assistant_time_to_final_text_seconds",
            "From acceptance to the complete answer shown",
            ["platform"],
            buckets=_SECONDS,
            registry=r,
        )

    def message_accepted(self, platform: str) -> None:
        self.accepted.labels(platform).inc()

    def queue_wait(self, platform: str, seconds: float) -> None:
        self.queue_wait_seconds.labels(platform).observe(max(0.0, seconds))

    def first_text(self, platform: str, seconds: float) -> None:
        self.first_text_seconds.labels(platform).observe(max(0.0, seconds))

    def answer_finished(self, platform: str, outcome: str, seconds: float) -> None:
        self.answers.labels(platform, outcome).inc()
        if outcome == COMPLETED:
            self.final_text_seconds.labels(platform).observe(max(0.0, seconds))

    def model_response(
        self, model: str, status: str, input_tokens: int, output_tokens: int
    ) -> None:
        self.model_requests.labels(model, status).inc()
        self.tokens.labels(model, "input").inc(input_tokens)
        self.tokens.labels(model, "output").inc(output_tokens)

    def platform_call(self, platform: str, method: str, status: int) -> None:
        self.platform_calls.labels(platform, method).inc()
        if status == 429:
            self.rate_limited.labels(platform, method).inc()

    def reply_deferred(self, kind: str) -> None:
        self.deferred.labels(kind).inc()

    def render(self, inbox_depth: int | None = None) -> bytes:
        if inbox_depth is not None:
            self.inbox_depth.set(inbox_depth)
        return generate_latest(self.registry)
