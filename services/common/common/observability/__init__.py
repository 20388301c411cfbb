"""Metrics of a running service: what is counted where, in one place.

Every app has its own ``Metrics``: a Prometheus registry (never the process-global one, so two apps in one
process never share a series). ``instrument_app`` mounts ``GET /metrics`` (Prometheus text format) and the
request middleware on any of the platform's FastAPI apps.

Metrics (every series has a ``service`` label; none has an id, a name or a raw path)::

    HTTP        regio_http_requests_total{method,route,status}          route = the template, /v1/x/{id}
                regio_http_request_duration_seconds{method,route}        histogram
                regio_http_requests_in_progress
    consumer    regio_consumer_fetches_total, regio_consumer_fetched_records_total
                regio_consumer_batches_total{topic,mode}
                regio_consumer_records_total{topic,outcome}               applied|duplicate|skipped|dead_lettered
                regio_consumer_batch_duration_seconds{topic}             decode → transaction committed
                regio_consumer_apply_latency_seconds{topic}              oldest event's ce_time → committed
                regio_consumer_committed_records_total, regio_consumer_last_commit_timestamp_seconds
                regio_consumer_lag{topic,partition}                      sampled: end - committed offset
                regio_dead_letters{topic}, regio_dead_letters_pending{topic}   sampled from <topic>.dlq
    outbox      regio_outbox_published_total{topic}, regio_outbox_publish_latency_seconds
                regio_outbox_publish_failures_total, regio_outbox_relay_producer_connected,
                regio_outbox_relay_active, regio_outbox_last_publish_timestamp_seconds
                regio_outbox_pending_rows, regio_outbox_oldest_pending_age_seconds   sampled
    jobs        regio_job_runs_total{job,outcome}, regio_job_duration_seconds{job}, regio_job_running{job}
                regio_job_last_success_timestamp_seconds{job}, regio_job_last_run_failed{job}   sampled
    database    regio_db_pool_connections{state}, regio_db_pool_max_connections
    service     regio_service_ready (sampled), regio_service_info{region}, process_* (CPU, memory)
                regio_metrics_sampled_timestamp_seconds{source}, regio_metrics_sample_failures_total{source}

Counted metrics cost one increment per batch (per request, per relay round), never per record: the
apply and publish latencies are one observation per batch, of its oldest event. Sampled metrics are read
every ``<SERVICE>_METRICS_SAMPLE_INTERVAL_S`` by ``MetricsSampler``.
"""

from __future__ import annotations

from common.observability._http import HttpMetricsMiddleware, instrument_app
from common.observability._metrics import ConsumerMetrics, JobMetrics, Metrics, OutboxMetrics
from common.observability._sampler import MetricsSampler

__all__ = [
    "ConsumerMetrics",
    "HttpMetricsMiddleware",
    "JobMetrics",
    "Metrics",
    "MetricsSampler",
    "OutboxMetrics",
    "instrument_app",
]
