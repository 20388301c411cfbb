"""One service process: pool, migrations, Kafka consumers, outbox relay and HTTP API, with graceful shutdown.

Start-up order: database pool → migrations → outbox relay → broker (consumers) → background workers
(``ServiceSpec.workers``: senders, schedulers). Shutdown on SIGTERM is
the reverse and bounded by ``shutdown_timeout_s``: uvicorn stops taking requests and finishes the ones in
hand (a fifth of the budget); consumers take no new record, stop retrying a failing one (it stays
uncommitted and is redelivered) and finish and commit the records in hand; then the broker stops
fetching and leaves the consumer group; the workers stop; the relay publishes what is pending until the deadline, less a
reserve in which the pool closes (or is terminated). Rows still unacknowledged stay in the outbox.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import structlog
import uvicorn
from fastapi import FastAPI, Request, Response
from faststream.kafka import KafkaBroker

from common.clock import Clock, SystemClock
from common.consumer import EventConsumer
from common.db import RUNTIME_MIGRATIONS, apply_migrations, create_pool
from common.guard import RequestGuard
from common.http import install_error_handlers
from common.jobs import Scheduler
from common.jobs.api import jobs_router
from common.kafka import broker_options
from common.keyring import KeyRing
from common.logging import configure_logging, get_logger
from common.observability import Metrics, MetricsSampler, instrument_app
from common.openapi import docs_router, document_error_responses
from common.ops.api import stream_router
from common.outbox import OutboxRelay
from common.ratelimit import RateLimiter
from common.retention import RETENTION_JOBS
from common.runtime import PoolDep, Runtime, ServiceSpec, get_pool, get_runtime
from common.sealing import region_key_from_environment
from common.settings import ProcessSettings, ServiceSettings
from common.tracing import Tracing, TracingMiddleware

__all__ = [
    "READINESS_REQUIRES",
    "PoolDep",
    "Runtime",
    "ServiceSpec",
    "add_correlation_ids",
    "add_health_routes",
    "build_broker",
    "create_service_app",
    "freeze_startup_heap",
    "get_pool",
    "get_runtime",
    "run_service",
    "serve",
]

log = get_logger(__name__)

# Shares of ``shutdown_timeout_s``: uvicorn's wait for requests in hand, then within what is left the
# broker's graceful stop and what is kept back for closing the pool; the outbox flush gets the rest.
_HTTP_SHARE = 0.2
_BROKER_SHARE = 0.4
_POOL_RESERVE_SHARE = 0.1
# Net allocations of tracked objects between collections of the youngest generation (see freeze_startup_heap).
_GC_YOUNG_THRESHOLD = 20_000
# At most this share of the budget for each background worker (a sender finishing the message in hand).
_WORKER_SHARE = 0.2
# What /health/ready needs to answer 200 ("can serve"): every service's HTTP API reads and writes only its
# own database, and what it publishes goes into the outbox, so a Kafka outage leaves it serving. Kafka is
# reported (``checks.kafka``) but a load balancer must not drop every instance while the broker is away;
# consumers and the relay reconnect by themselves. Start-up itself still needs Kafka (the broker connects).
READINESS_REQUIRES = ("started", "database")


def _broker_stop_timeout_s(settings: ServiceSettings) -> float:
    """How long stopping the broker may take: its graceful timeout plus a second to close clients."""
    return settings.shutdown_timeout_s * _BROKER_SHARE + 1.0


def build_broker(settings: ServiceSettings, spec: ServiceSpec) -> KafkaBroker:
    """A FastStream Kafka broker whose producer waits for all in-sync replicas (dead letters must persist)."""
    return KafkaBroker(
        **broker_options(settings),  # servers, TLS and SASL from the region's Kafka settings
        client_id=f"{settings.region}-{spec.name}",
        acks="all",
        enable_idempotence=True,
        # A share of the shutdown budget for the record in hand; the outbox flush and pools need the rest.
        graceful_timeout=settings.shutdown_timeout_s * _BROKER_SHARE,
        description=spec.description,
        # A plain stdlib logger propagates to the root JSON handler instead of FastStream's own format;
        # its per-message lines go to DEBUG since the consumer logs each outcome itself.
        logger=logging.getLogger("faststream"),
        log_level=logging.DEBUG,
    )


def freeze_startup_heap() -> None:
    """Collect once, move every object alive now (modules, app, pools) out of the collector's sight, collect less often.

    A full collection visits every tracked object; after start-up that is hundreds of thousands of module
    and framework objects that live as long as the process. Frozen, they are skipped, and the collections
    triggered by handling events visit only what handling allocates. Called once, when start-up is done.

    The youngest generation is collected after ``_GC_YOUNG_THRESHOLD`` net allocations instead of Python's
    700: a batch in hand holds some 20 objects per record (the record, its envelope and payload, their ids
    and times), so at 700 the collector ran every few dozen records and re-visited every object of the
    batches in hand each time (3-4 µs per consumed record, a sixth of the consumer's CPU; 0.2 µs at 20,000).
    Reference counting frees nearly everything anyway; the collector is only for cycles.
    """
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(_GC_YOUNG_THRESHOLD, older, oldest)


async def _start(runtime: Runtime) -> None:
    settings, spec, metrics = runtime.settings, runtime.spec, runtime.metrics
    runtime.pool = await create_pool(settings.database_url.get_secret_value(), settings.db_pool_size)
    metrics.watch_pool(runtime.pool)
    await apply_migrations(runtime.pool, RUNTIME_MIGRATIONS, spec.migrations)
    runtime.limiter = RateLimiter(runtime.pool, runtime.clock)
    if spec.publishes:
        runtime.relay = OutboxRelay(
            runtime.pool,
            settings,
            poll_interval_s=settings.outbox_poll_interval_s,
            batch_size=settings.outbox_batch_size,
            metrics=metrics.outbox,
        )
        await runtime.relay.start()
    if spec.seals_volunteer_profiles or spec.opens_volunteer_profiles:
        if settings.region_key_encryption_key is None:
            raise RuntimeError(f"{spec.name} needs REGION_KEY_ENCRYPTION_KEY (README: Crypto-shredding)")
        # The same variable the registry's outbox door reads (common.sealing); refuses a malformed key.
        region_key = region_key_from_environment()
        if spec.opens_volunteer_profiles:
            runtime.keyring = KeyRing(runtime.pool, settings, region_key, service=spec.name)
            await runtime.keyring.start()
    if spec.register_handlers is not None:
        runtime.broker = build_broker(settings, spec)
        runtime.consumer = EventConsumer(
            spec.name,
            runtime.pool,
            max_retries=settings.consumer_max_retries,
            retry_backoff_s=settings.consumer_retry_backoff_s,
            batch_size=settings.consumer_batch_size,
            unit_of_work=spec.unit_of_work,
            clock=runtime.clock,
            metrics=metrics.consumer,
            opener=runtime.keyring,
            tracing=runtime.tracing,
        )
        spec.register_handlers(runtime.consumer)
        if runtime.relay is not None and settings.outbox_defer_max_s > 0:
            runtime.relay.defer_to(runtime.consumer, settings.outbox_defer_max_s)
        runtime.consumer.attach(runtime.broker)
        await runtime.broker.start()  # connects and joins the group (one member for all the topics)
        await runtime.consumer.start()
    # Every service purges its delivery records (common.retention) beside its own jobs.
    runtime.scheduler = Scheduler(
        service=spec.name,
        region=settings.region,
        jobs=[*spec.jobs, *RETENTION_JOBS],
        pool=runtime.pool,
        clock=runtime.clock,
        factory=spec.unit_of_work,
        settings=settings,
        poll_interval_s=settings.scheduler_poll_interval_s,
        enabled=settings.scheduler_enabled,
        run_retention=timedelta(days=settings.scheduler_run_retention_days),
        metrics=metrics.jobs,
    )
    await runtime.scheduler.start()
    runtime.workers.append(runtime.scheduler)
    sampler = _metrics_sampler(runtime)
    await sampler.start()
    runtime.workers.append(sampler)
    for make_worker in spec.workers:
        worker = make_worker(runtime)
        await worker.start()
        runtime.workers.append(worker)
    freeze_startup_heap()
    runtime.ready = True
    log.info("service_started", consumes=runtime.consumer.topics if runtime.consumer else [])


def _metrics_sampler(runtime: Runtime) -> MetricsSampler:
    """The worker that reads lag, dead letters, the outbox backlog, job state and readiness for /metrics."""

    async def ready() -> bool:
        checks = await _readiness(runtime)
        return all(checks.get(name, False) for name in READINESS_REQUIRES)

    return MetricsSampler(
        service=runtime.spec.name,
        metrics=runtime.metrics,
        interval_s=runtime.settings.metrics_sample_interval_s,
        kafka=runtime.settings,
        topics=runtime.consumer.topics if runtime.consumer is not None else (),
        pool=runtime.pool,
        outbox=bool(runtime.spec.publishes),
        jobs=list(runtime.scheduler.jobs) if runtime.scheduler is not None else (),
        ready=ready,
    )


async def _stop(runtime: Runtime) -> None:
    """Stop consuming, flush the outbox, close the pool; each step bounded so the whole fits the budget."""
    budget = runtime.settings.shutdown_timeout_s * (1 - _HTTP_SHARE)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + budget
    reserve = runtime.settings.shutdown_timeout_s * _POOL_RESERVE_SHARE
    runtime.ready = False
    if runtime.consumer is not None:
        runtime.consumer.close()
        if not await runtime.consumer.drain(timeout=runtime.settings.shutdown_timeout_s * _BROKER_SHARE):
            log.warning("consumer_drain_timed_out")
    if runtime.broker is not None:
        # FastStream stops the subscriber (the consumer's fetching stopped in the drain above), leaves the
        # group and closes the clients.
        try:
            timeout = min(_broker_stop_timeout_s(runtime.settings), deadline - loop.time() - reserve)
            await asyncio.wait_for(runtime.broker.stop(), timeout=max(timeout, 0.5))
        except Exception:
            log.exception("broker_stop_failed")
    if runtime.keyring is not None:
        await runtime.keyring.stop()
    for worker in reversed(runtime.workers):
        try:
            await worker.stop(timeout=max(min(deadline - loop.time() - reserve, budget * _WORKER_SHARE), 0.1))
        except Exception:
            log.exception("worker_stop_failed", worker=type(worker).__name__)
    if runtime.relay is not None:
        await runtime.relay.stop(timeout=max(deadline - loop.time() - reserve, 0.1))
    if runtime.pool is not None:
        try:
            await asyncio.wait_for(runtime.pool.close(), timeout=max(deadline - loop.time(), 0.1))
        except TimeoutError:
            # A connection is still busy (a request or handler stuck on the database): cut it off.
            runtime.pool.terminate()
            log.warning("pool_terminated")
    try:
        # After the outbox flush and the consumers: their last spans are exported too (bounded).
        await asyncio.to_thread(runtime.tracing.shutdown)
    except Exception:
        log.exception("tracing_shutdown_failed")
    log.info("service_stopped")


def create_service_app(
    settings: ServiceSettings, spec: ServiceSpec, *, clock: Clock | None = None, tracing: Tracing | None = None
) -> FastAPI:
    """The service's ASGI app; its lifespan starts and stops every resource.

    ``clock``: tests of time-driven work; ``tracing``: a tracer other than the settings' (tests' in-memory exporter).
    """
    metrics = Metrics(spec.name, region=settings.region)  # a registry of this app's own
    if tracing is None:
        tracing = Tracing.from_endpoint(spec.name, settings.otel_exporter_otlp_endpoint, region=settings.region)
    runtime = Runtime(settings=settings, spec=spec, clock=clock or SystemClock(), metrics=metrics, tracing=tracing)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await _start(runtime)
        try:
            yield
        finally:
            try:
                # Each step of _stop is bounded; this outer bound (with slack) only catches what is not.
                await asyncio.wait_for(_stop(runtime), timeout=settings.shutdown_timeout_s * (1 - _HTTP_SHARE) + 2.0)
            except TimeoutError:
                log.error("shutdown_timed_out", timeout_s=settings.shutdown_timeout_s)

    # The doc pages are our own (local assets, a strict CSP) or off; /openapi.json lists every error.
    app = FastAPI(
        title=f"{spec.name} ({settings.region})",
        description=spec.description,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.runtime = runtime
    # Outermost: correlation id, body limit, text check, failed-auth limit, security headers, 500s.
    app.add_middleware(RequestGuard, runtime=runtime)
    # Outside the guard, so the requests it answers itself (413, 429) are counted too.
    instrument_app(app, metrics)
    if tracing.enabled:
        # Outermost: the request's span also covers what the guard and the metrics do.
        app.add_middleware(TracingMiddleware, tracing=tracing)
    add_health_routes(
        app,
        lambda: _readiness(runtime),
        READINESS_REQUIRES,
        ready_summary="Started and the database answers; Kafka is only reported.",
    )

    install_error_handlers(app)
    app.include_router(jobs_router)  # every service has jobs: at least common.retention's
    if spec.register_handlers is not None:
        app.include_router(stream_router)
    for router in spec.routers:
        app.include_router(router)
    if settings.api_docs:
        app.include_router(docs_router(app.title))
    document_error_responses(app)
    return app


def add_correlation_ids(app: FastAPI) -> None:
    """Give every request a correlation id (the caller's, if valid), bound into the logs and echoed back.

    For processes without the request guard (the portal); services get the id from ``RequestGuard``.
    """

    @app.middleware("http")
    async def correlation(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        # Events (and calls to other services) the request causes carry the same id on.
        try:
            correlation_id = UUID(request.headers.get("x-correlation-id", ""))
        except ValueError:
            correlation_id = uuid4()
        request.state.correlation_id = correlation_id
        with structlog.contextvars.bound_contextvars(correlation_id=str(correlation_id)):
            response = await call_next(request)
        response.headers["X-Correlation-ID"] = str(correlation_id)
        return response


def add_health_routes(
    app: FastAPI,
    readiness: Callable[[], Awaitable[dict[str, bool]]],
    requires: Sequence[str],
    *,
    ready_summary: str,
) -> None:
    """``/health/live`` (the process is up) and ``/health/ready`` (200 when every check in ``requires`` holds)."""

    @app.get("/health/live", tags=["health"], summary="The process is up.")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/health/ready", tags=["health"], summary=ready_summary)
    async def ready(response: Response) -> dict[str, Any]:
        checks = await readiness()
        ok = all(checks.get(name, False) for name in requires)
        response.status_code = 200 if ok else 503
        return {"status": "ok" if ok else "unavailable", "checks": checks}


async def _readiness(runtime: Runtime) -> dict[str, bool]:
    checks: dict[str, bool] = {"started": runtime.ready}
    if runtime.pool is not None:
        try:
            checks["database"] = await runtime.pool.fetchval("SELECT true", timeout=2)
        except Exception:
            checks["database"] = False
    if runtime.broker is not None:
        checks["kafka"] = await runtime.broker.ping(timeout=2)
    return checks


def run_service(settings: ServiceSettings, spec: ServiceSpec) -> None:
    """Run the service until SIGTERM/SIGINT (the process entrypoint)."""
    configure_logging(spec.name, settings.log_level)
    serve(create_service_app(settings, spec), settings)


def serve(app: FastAPI, settings: ProcessSettings) -> None:
    """Serve ``app`` with uvicorn until SIGTERM/SIGINT, keeping the JSON logs and the shutdown budget's shares."""
    config = uvicorn.Config(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,  # keep our structlog JSON handlers
        access_log=False,
        server_header=False,  # no "server: uvicorn" banner
        # Requests in hand get a share of the budget; the lifespan shutdown (_stop) has the rest.
        timeout_graceful_shutdown=max(1, round(settings.shutdown_timeout_s * _HTTP_SHARE)),
        lifespan="on",
    )
    uvicorn.Server(config).run()
