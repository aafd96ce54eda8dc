"""Prometheus metrics (auditor role): counts and latencies per route and status, token totals. No content, no key ids."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    """One registry per app, so several apps in one process (tests) do not share series."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("privtune_requests", "Requests by route and status", ["route", "status"],
                                registry=self.registry)
        self.tokens = Counter("privtune_tokens", "Tokens by kind", ["kind"], registry=self.registry)
        self.latency = Histogram("privtune_request_seconds", "Request latency", ["route"], registry=self.registry,
                                 buckets=(0.005, 0.02, 0.1, 0.5, 1, 2, 5, 10, 30, 120))
        # A plain int the middleware bumps on the event loop, read only when /metrics is scraped.
        self.in_flight = 0
        Gauge("privtune_in_flight", "Requests being handled", registry=self.registry).set_function(
            lambda: self.in_flight)
        # labels() takes a lock and builds a key on every call: the children are looked up once per series.
        self._series: dict[tuple[str, int], tuple[Any, Any]] = {}
        self._prompt, self._completion = self.tokens.labels("prompt"), self.tokens.labels("completion")

    def observe(self, route: str, status: int, seconds: float, prompt_tokens: int, completion_tokens: int) -> None:
        series = self._series.get((route, status))
        if series is None:  # routes are templates and statuses few: the mapping stays small
            series = self._series[(route, status)] = (self.requests.labels(route, str(status)),
                                                      self.latency.labels(route))
        series[0].inc()
        series[1].observe(seconds)
        if prompt_tokens:
            self._prompt.inc(prompt_tokens)
        if completion_tokens:
            self._completion.inc(completion_tokens)

    def render(self) -> bytes:
        return generate_latest(self.registry)
