"""Prometheus metrics of one service, in a registry of its own so that tests can run several apps."""

from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


@dataclass
class Metrics:
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)

    def __post_init__(self) -> None:
        self.consumed = Counter(
            "redzaam_events_consumed", "Events handled by a consumer", ["topic", "type"], registry=self.registry
        )
        self.produced = Counter(
            "redzaam_events_produced", "Events published", ["topic", "type"], registry=self.registry
        )
        self.dead_lettered = Counter(
            "redzaam_events_dead_lettered", "Records sent to the dead-letter topic", ["topic"], registry=self.registry
        )
        self.handler_seconds = Histogram(
            "redzaam_handler_seconds", "Time to handle one event", ["type"], registry=self.registry
        )
        self.consumer_lag = Gauge(
            "redzaam_consumer_lag",
            "Records behind the end of the partition",
            ["topic", "partition"],
            registry=self.registry,
        )
        self.outbox_pending = Gauge(
            "redzaam_outbox_pending", "Documents with events not yet published", ["collection"], registry=self.registry
        )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
