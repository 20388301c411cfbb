"""Every Prometheus metric one service instance exposes, in a registry of its own (never the process-global one)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

__all__ = [
    "ConsumerMetrics",
    "HttpMetrics",
    "JobMetrics",
    "JobState",
    "Metrics",
    "OutboxMetrics",
    "Sampled",
]

# Seconds. Requests: a few ms to a few s. Event age (apply and publish latency): from a quiet consumer's
# milliseconds to an hour behind after an outage. Batches: one short transaction to a long rebuild batch.
_HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_AGE_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
_BATCH_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_JOB_BUCKETS = (0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0)
# HTTP methods as labels; anything else a client sends counts as "other" (labels stay bounded).
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class HttpMetrics:
    """Requests per route template (never the raw path, which holds ids), method and status."""

    def __init__(self, registry: CollectorRegistry, service: str) -> None:
        self._service = service
        self._requests = Counter(
            "regio_http_requests",
            "HTTP requests answered, per route template, method and status code.",
            ["service", "method", "route", "status"],
            registry=registry,
        )
        self._duration = Histogram(
            "regio_http_request_duration_seconds",
            "Time from a request's arrival to the end of its response, per route template and method.",
            ["service", "method", "route"],
            buckets=_HTTP_BUCKETS,
            registry=registry,
        )
        self.in_progress = Gauge(
            "regio_http_requests_in_progress", "Requests being handled now.", ["service"], registry=registry
        ).labels(service)

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        """Count one answered request."""
        method = method if method in _METHODS else "other"
        self._requests.labels(self._service, method, route, str(status)).inc()
        self._duration.labels(self._service, method, route).observe(seconds)


class ConsumerMetrics:
    """The consumer's batches: fetched, applied per outcome, their duration, how old their events were, committed."""

    def __init__(self, registry: CollectorRegistry, service: str) -> None:
        self._service = service
        self._fetches = Counter(
            "regio_consumer_fetches", "Non-empty fetches from Kafka.", ["service"], registry=registry
        ).labels(service)
        self._fetched = Counter(
            "regio_consumer_fetched_records", "Records fetched from Kafka.", ["service"], registry=registry
        ).labels(service)
        self._committed = Counter(
            "regio_consumer_committed_records",
            "Records whose offsets were committed (applied, skipped, duplicate or dead-lettered).",
            ["service"],
            registry=registry,
        ).labels(service)
        self._last_commit = Gauge(
            "regio_consumer_last_commit_timestamp_seconds",
            "When this instance last committed offsets (Unix time).",
            ["service"],
            registry=registry,
        ).labels(service)
        self._batches = Counter(
            "regio_consumer_batches",
            "Batches applied (mode batch: one transaction; one_by_one: after a failure; single: one record).",
            ["service", "topic", "mode"],
            registry=registry,
        )
        self._records = Counter(
            "regio_consumer_records",
            "Records per outcome: applied, duplicate (inbox), skipped (a type this service does not handle),"
            " dead_lettered.",
            ["service", "topic", "outcome"],
            registry=registry,
        )
        self._duration = Histogram(
            "regio_consumer_batch_duration_seconds",
            "From a batch's decoding to its transaction's commit.",
            ["service", "topic"],
            buckets=_BATCH_BUCKETS,
            registry=registry,
        )
        self._latency = Histogram(
            "regio_consumer_apply_latency_seconds",
            "Age of a batch's oldest applied event (its ce_time) when the batch's transaction committed:"
            " how far the service's own data trails the events.",
            ["service", "topic"],
            buckets=_AGE_BUCKETS,
            registry=registry,
        )
        self._per_topic: dict[str, _TopicChildren] = {}

    def fetched(self, records: int) -> None:
        """A fetch returned ``records`` records."""
        self._fetches.inc()
        self._fetched.inc(records)

    def committed(self, records: int) -> None:
        """The offsets of ``records`` more records were committed."""
        self._committed.inc(records)
        self._last_commit.set(time.time())

    def batch_done(
        self,
        topic: str,
        *,
        mode: str,
        outcomes: Mapping[str, int],
        seconds: float,
        oldest_applied_age_s: float | None,
    ) -> None:
        """One batch of ``topic`` is done with: its outcomes, its duration, the age of its oldest applied event."""
        children = self._per_topic.get(topic)
        if children is None:
            children = self._per_topic[topic] = _TopicChildren(
                records={
                    outcome: self._records.labels(self._service, topic, outcome)
                    for outcome in ("applied", "duplicate", "skipped", "dead_lettered")
                },
                duration=self._duration.labels(self._service, topic),
                latency=self._latency.labels(self._service, topic),
            )
        self._batches.labels(self._service, topic, mode).inc()
        for outcome, count in outcomes.items():
            if count:
                children.records[outcome].inc(count)
        children.duration.observe(seconds)
        if oldest_applied_age_s is not None:
            children.latency.observe(max(oldest_applied_age_s, 0.0))


@dataclass
class _TopicChildren:
    """A topic's labelled metrics, looked up once (labels() costs more than the increment)."""

    records: dict[str, Any]
    duration: Any
    latency: Any


class OutboxMetrics:
    """The outbox relay: rows published per topic, how long they waited, failed rounds, producer and lock state."""

    def __init__(self, registry: CollectorRegistry, service: str) -> None:
        self._service = service
        self._published = Counter(
            "regio_outbox_published",
            "Outbox rows Kafka acknowledged, per topic.",
            ["service", "topic"],
            registry=registry,
        )
        self._latency = Histogram(
            "regio_outbox_publish_latency_seconds",
            "Wait of each published batch's oldest row: from its transaction to Kafka's acknowledgement.",
            ["service"],
            buckets=_AGE_BUCKETS,
            registry=registry,
        ).labels(service)
        self._failures = Counter(
            "regio_outbox_publish_failures",
            "Relay rounds that failed (broker or database unavailable); the rows stay and are sent again.",
            ["service"],
            registry=registry,
        ).labels(service)
        self._connected = Gauge(
            "regio_outbox_relay_producer_connected",
            "1 while the relay has a connected Kafka producer.",
            ["service"],
            registry=registry,
        ).labels(service)
        self._active = Gauge(
            "regio_outbox_relay_active",
            "1 when this instance's relay held the publishing lock in its latest round (one instance at a time).",
            ["service"],
            registry=registry,
        ).labels(service)
        self._last_published = Gauge(
            "regio_outbox_last_publish_timestamp_seconds",
            "When this instance's relay last had rows acknowledged (Unix time).",
            ["service"],
            registry=registry,
        ).labels(service)

    def published(self, per_topic: Mapping[str, int], oldest_wait_s: float) -> None:
        """Kafka acknowledged rows (``per_topic`` counts); the oldest of them waited ``oldest_wait_s``."""
        for topic, count in per_topic.items():
            self._published.labels(self._service, topic).inc(count)
        self._latency.observe(max(oldest_wait_s, 0.0))
        self._last_published.set(time.time())

    def failed(self) -> None:
        """A round failed; its rows stay unpublished."""
        self._failures.inc()

    def producer_connected(self, connected: bool) -> None:
        """The relay's producer connected (True) or was discarded (False)."""
        self._connected.set(1 if connected else 0)

    def lock_held(self, held: bool) -> None:
        """Whether this relay got the publishing lock in its latest round."""
        self._active.set(1 if held else 0)


class JobMetrics:
    """Scheduled and on-demand job runs of this instance: per outcome, duration, running now."""

    def __init__(self, registry: CollectorRegistry, service: str) -> None:
        self._service = service
        self._runs = Counter(
            "regio_job_runs",
            "Job runs finished here, per outcome (done, failed).",
            ["service", "job", "outcome"],
            registry=registry,
        )
        self._duration = Histogram(
            "regio_job_duration_seconds",
            "How long job runs took.",
            ["service", "job"],
            buckets=_JOB_BUCKETS,
            registry=registry,
        )
        self._running = Gauge("regio_job_running", "Runs in hand now.", ["service", "job"], registry=registry)

    def started(self, job: str) -> None:
        """A run of ``job`` began here."""
        self._running.labels(self._service, job).inc()

    def finished(self, job: str, outcome: str, seconds: float) -> None:
        """A run of ``job`` ended (outcome done or failed; a cancelled run only stops counting as running)."""
        self._running.labels(self._service, job).dec()
        if outcome in ("done", "failed"):
            self._runs.labels(self._service, job, outcome).inc()
            self._duration.labels(self._service, job).observe(seconds)


@dataclass(frozen=True)
class JobState:
    """A job's state as the ``job_runs`` table tells it (the same whichever instance ran it)."""

    last_success_at: float | None
    last_run_failed: bool


@dataclass
class Sampled:
    """Values a sampler reads now and then (Kafka, the database) and sets as a whole; exposed as gauges.

    A series that is no longer sampled (a partition another instance now owns, a job removed) disappears,
    instead of keeping its last value forever as a labelled Gauge would.
    """

    lag: dict[tuple[str, int], int] = field(default_factory=dict)
    dead_letters: dict[str, tuple[int, int]] = field(default_factory=dict)
    outbox_pending: tuple[int, float] | None = None
    jobs: dict[str, JobState] = field(default_factory=dict)
    ready: bool | None = None
    sampled_at: dict[str, float] = field(default_factory=dict)


class _SampledCollector(Collector):
    """Exposes a ``Sampled`` at scrape time."""

    def __init__(self, service: str, sampled: Sampled) -> None:
        self._service = service
        self._sampled = sampled

    def collect(self) -> Iterator[Metric]:
        service, sampled = self._service, self._sampled
        lag = GaugeMetricFamily(
            "regio_consumer_lag",
            "Records on a partition after the group's committed offset (what `python -m common.ops lag` shows).",
            labels=["service", "topic", "partition"],
        )
        for (topic, partition), records in sorted(sampled.lag.items()):
            lag.add_metric([service, topic, str(partition)], records)
        yield lag
        total = GaugeMetricFamily(
            "regio_dead_letters",
            "Records this service dead-lettered that are in <topic>.dlq now (topic: the topic they came from).",
            labels=["service", "topic"],
        )
        pending = GaugeMetricFamily(
            "regio_dead_letters_pending",
            "Of those, the ones not re-driven yet (`python -m common.ops dlq list --pending`).",
            labels=["service", "topic"],
        )
        for topic, (count, not_redriven) in sorted(sampled.dead_letters.items()):
            total.add_metric([service, topic], count)
            pending.add_metric([service, topic], not_redriven)
        yield total
        yield pending
        if sampled.outbox_pending is not None:
            rows, oldest_age = sampled.outbox_pending
            pending_rows = GaugeMetricFamily(
                "regio_outbox_pending_rows", "Outbox rows not yet published.", labels=["service"]
            )
            pending_rows.add_metric([service], rows)
            yield pending_rows
            oldest = GaugeMetricFamily(
                "regio_outbox_oldest_pending_age_seconds",
                "Age of the oldest unpublished outbox row (0 when there is none).",
                labels=["service"],
            )
            oldest.add_metric([service], oldest_age)
            yield oldest
        last_success = GaugeMetricFamily(
            "regio_job_last_success_timestamp_seconds",
            "When the job's latest successful run finished (Unix time; absent before its first).",
            labels=["service", "job"],
        )
        failed = GaugeMetricFamily(
            "regio_job_last_run_failed", "1 when the job's latest finished run failed.", labels=["service", "job"]
        )
        for job, state in sorted(sampled.jobs.items()):
            if state.last_success_at is not None:
                last_success.add_metric([service, job], state.last_success_at)
            failed.add_metric([service, job], 1 if state.last_run_failed else 0)
        yield last_success
        yield failed
        if sampled.ready is not None:
            ready = GaugeMetricFamily(
                "regio_service_ready",
                "1 when /health/ready would answer 200 (started, database answers).",
                labels=["service"],
            )
            ready.add_metric([service], 1 if sampled.ready else 0)
            yield ready
        when = GaugeMetricFamily(
            "regio_metrics_sampled_timestamp_seconds",
            "When the sampled metrics were last read, per source (kafka, database).",
            labels=["service", "source"],
        )
        for source, at in sorted(sampled.sampled_at.items()):
            when.add_metric([service, source], at)
        yield when


class _PoolCollector(Collector):
    """The database pool's connections at scrape time: in use, idle, and the most it may open."""

    def __init__(self, service: str) -> None:
        self._service = service
        self.pool: Any = None

    def collect(self) -> Iterator[Metric]:
        if self.pool is None:
            return
        size, idle, most = self.pool.get_size(), self.pool.get_idle_size(), self.pool.get_max_size()
        connections = GaugeMetricFamily(
            "regio_db_pool_connections", "Open connections of the pool, in use or idle.", labels=["service", "state"]
        )
        connections.add_metric([self._service, "in_use"], size - idle)
        connections.add_metric([self._service, "idle"], idle)
        yield connections
        maximum = GaugeMetricFamily(
            "regio_db_pool_max_connections", "The most connections the pool opens.", labels=["service"]
        )
        maximum.add_metric([self._service], most)
        yield maximum


class Metrics:
    """One service instance's metrics in a registry of its own, so apps in one process never share series."""

    def __init__(self, service: str, *, region: str = "") -> None:
        self.service = service
        self.registry = CollectorRegistry()
        self.http = HttpMetrics(self.registry, service)
        self.consumer = ConsumerMetrics(self.registry, service)
        self.outbox = OutboxMetrics(self.registry, service)
        self.jobs = JobMetrics(self.registry, service)
        self.sampled = Sampled()
        self.sample_failures = Counter(
            "regio_metrics_sample_failures",
            "Failed reads of the sampled metrics, per source (kafka, database); their last values stay.",
            ["service", "source"],
            registry=self.registry,
        )
        self.registry.register(_SampledCollector(service, self.sampled))
        self._pool = _PoolCollector(service)
        self.registry.register(self._pool)
        info = Gauge(
            "regio_service_info",
            "The service and region of this instance (always 1).",
            ["service", "region"],
            registry=self.registry,
        )
        info.labels(service, region).set(1)
        # CPU, memory, open files of this process: one registry per app, but the process is shared (tests).
        ProcessCollector(registry=self.registry)

    def watch_pool(self, pool: Any) -> None:
        """Report ``pool``'s connections (an asyncpg pool) from now on."""
        self._pool.pool = pool
