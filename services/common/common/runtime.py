"""What a service is (``ServiceSpec``) and what it has while it runs (``Runtime``), and how routes reach it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Protocol

import asyncpg
from fastapi import Depends, Request

from common.clock import Clock, SystemClock
from common.observability import Metrics
from common.settings import ServiceSettings
from common.tracing import Tracing
from common.uow import PostgresUnitOfWork, UnitOfWorkFactory
from contracts import Event

if TYPE_CHECKING:
    from faststream.kafka import KafkaBroker

    from common.consumer import EventConsumer
    from common.jobs import Job, Scheduler
    from common.keyring import KeyRing
    from common.outbox import OutboxRelay
    from common.ratelimit import RateLimiter

__all__ = ["BackgroundWorker", "PoolDep", "Runtime", "ServiceSpec", "WorkerFactory", "get_pool", "get_runtime"]


class BackgroundWorker(Protocol):
    """A loop the service runner starts after the consumers and stops before the outbox flush (e.g. a mail sender)."""

    async def start(self) -> None:
        """Begin working in the background; return once started."""
        ...

    async def stop(self, timeout: float) -> None:
        """Finish or abandon what is in hand within ``timeout`` seconds, then stop."""
        ...


WorkerFactory = Callable[["Runtime"], BackgroundWorker]
"""Builds a worker from the running service's resources (pool, settings, clock)."""


@dataclass(frozen=True)
class ServiceSpec:
    """What makes a service itself: its name, tables, handlers, routes and background work."""

    name: str
    migrations: Path
    register_handlers: Callable[[EventConsumer], None] | None = None
    routers: Sequence[Any] = ()
    publishes: Sequence[type[Event]] = ()
    description: str = ""
    # Read-model tables a replay empties before re-consuming the service's topics from the beginning
    # (``python -m common.ops replay``); empty for services that are not projections.
    replay_tables: Sequence[str] = ()
    # The topics a replay consumes again (empty: every topic of the service). A service whose other topics feed
    # state of its own (matching's tasks carry its team-day reservations) replays only its pure read models.
    replay_topics: Sequence[str] = ()
    # Whether the replay records its moment in the service's ``replay_horizon`` table, so handlers can tell a
    # re-applied event (produced before it) from a new one and take no decision (no proposal) on history.
    replay_horizon: bool = False
    # The service's unit of work (with its repositories), built on each command's transaction.
    unit_of_work: UnitOfWorkFactory = PostgresUnitOfWork
    # Loops started and stopped with the service, like the outbox relay (e.g. a mail sender).
    workers: Sequence[WorkerFactory] = ()
    # Scheduled and on-demand jobs (common.jobs); the runner starts a scheduler when there are any.
    jobs: Sequence[Job] = ()
    # Crypto-shredding (issue 16): the registry seals volunteers' profiles with their data keys; a service
    # that reads them (matching, reporting, appreciation) opens them with a key ring (common.keyring). Either
    # needs the region's key-encryption key and refuses to start without it.
    seals_volunteer_profiles: bool = False
    opens_volunteer_profiles: bool = False


@dataclass
class Runtime:
    """The live resources of a running service, kept on ``app.state.runtime``."""

    settings: ServiceSettings
    spec: ServiceSpec
    clock: Clock = field(default_factory=SystemClock)
    pool: asyncpg.Pool | None = None
    broker: KafkaBroker | None = None
    consumer: EventConsumer | None = None
    relay: OutboxRelay | None = None
    scheduler: Scheduler | None = None
    limiter: RateLimiter | None = None
    keyring: KeyRing | None = None
    workers: list[BackgroundWorker] = field(default_factory=list)
    ready: bool = False
    extras: dict[str, Any] = field(default_factory=dict)
    # This runtime's metrics, in a registry of its own (never prometheus-client's process-global one).
    metrics: Metrics = field(default_factory=lambda: Metrics("unnamed"))
    # This runtime's tracer, with a provider of its own (off: the no-op tracer).
    tracing: Tracing = field(default_factory=Tracing.off)


def get_runtime(request: Request) -> Runtime:
    """FastAPI dependency: the running service's resources."""
    runtime: Runtime = request.app.state.runtime
    return runtime


def get_pool(request: Request) -> asyncpg.Pool:
    """FastAPI dependency: the service's connection pool."""
    pool = get_runtime(request).pool
    assert pool is not None, "pool is opened in the lifespan before requests are served"
    return pool


PoolDep = Annotated[asyncpg.Pool, Depends(get_pool)]
