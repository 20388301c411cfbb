"""The unit of work: the one seam every command passes through, from an HTTP request, an event or a job.

A unit of work holds what a use case needs besides its command: the open transaction (``conn``), where
the command came from (``origin``: correlation, causation, tenant, actor), ``emit`` (events into the
outbox of that same transaction) and ``now`` (one instant per unit of work, from the service's clock).
Use cases take ``(command, uow)`` and never open or commit transactions: whoever created the unit of
work owns its transaction (the consumer's batch, the HTTP dependency, the scheduler's run).

Each service extends ``PostgresUnitOfWork`` with its repositories and states what its use cases need as
a Protocol; its tests give the use cases a fake with in-memory repositories (``FakeUnitOfWork`` is the
base) so the fast tier runs without PostgreSQL or Kafka.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol, TypeVar
from uuid import UUID, uuid4

import asyncpg

from common.clock import Clock, SystemClock, dutch_date
from common.db import Connection
from common.outbox import HeaderTemplate, add_all_to_outbox, add_tombstone_to_outbox, copy_to_outbox, make_envelope
from contracts import Event, EventEnvelope

__all__ = [
    "EmittedEvent",
    "Encoded",
    "FakeUnitOfWork",
    "Origin",
    "Outgoing",
    "PostgresUnitOfWork",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "unit_of_work",
]


@dataclass(frozen=True)
class Origin:
    """Where a command came from; the events it causes carry it on (source, correlation, causation)."""

    source: str
    """CloudEvents ``source`` of the events the command causes: ``/regions/<region>/<service>``."""
    region: str
    correlation_id: UUID
    causation_id: UUID | None = None
    """The event that caused the command (None for requests and scheduled jobs)."""
    tenant: str | None = None
    """The centrale the command concerns, when one does (the caller's, or the incoming event's)."""
    actor: str | None = None
    """Who: ``account:<id>``, ``credential:<id>``, ``region_ops``, ``event:<type>``, ``job:<name>``."""

    @classmethod
    def of_event(cls, envelope: EventEnvelope, service: str) -> Origin:
        """A command caused by ``envelope``: same correlation, the event as its cause, the event's tenant."""
        return cls(
            source=f"/regions/{envelope.region}/{service}",
            region=envelope.region,
            correlation_id=envelope.correlationid,
            causation_id=envelope.id,
            tenant=envelope.tenant,
            actor=f"event:{envelope.type}",
        )

    @classmethod
    def of_request(
        cls, *, service: str, region: str, correlation_id: UUID, tenant: str | None = None, actor: str | None = None
    ) -> Origin:
        """A command from an HTTP request, under the request's correlation id."""
        return cls(
            source=f"/regions/{region}/{service}",
            region=region,
            correlation_id=correlation_id,
            tenant=tenant,
            actor=actor,
        )

    @classmethod
    def of_job(cls, *, service: str, region: str, job: str) -> Origin:
        """A command from a scheduled or on-demand job: a fresh correlation id per run."""
        return cls(source=f"/regions/{region}/{service}", region=region, correlation_id=uuid4(), actor=f"job:{job}")


class UnitOfWork(Protocol):
    """What every use case may use, whatever the service: origin, time and emitting events."""

    @property
    def origin(self) -> Origin:
        """Where the command came from."""
        ...

    def now(self) -> datetime:
        """The instant of this unit of work (the same for every call)."""
        ...

    def today(self) -> date:
        """The day in the Netherlands at this unit of work's instant (what people call today)."""
        ...

    async def emit(self, event: Event, *, tenant: str | None = None, event_id: UUID | None = None) -> None:
        """Publish ``event`` when (and only if) this unit of work commits; ``tenant`` defaults to the origin's.

        ``event_id``: the CloudEvents id, for an event that must keep its own (else a fresh one).
        """
        ...

    async def emit_all(self, events: Sequence[Outgoing]) -> None:
        """``emit`` for many events at once (one statement), each with its own tenant, id and origin."""
        ...

    async def emit_encoded(
        self, event_type: type[Event], events: Sequence[Encoded], *, tenant: str | None = None
    ) -> None:
        """Publish many events of one type whose payloads are already JSON (a bulk path), in the order given."""
        ...


@dataclass(frozen=True)
class Outgoing:
    """An event to emit with what may differ from the unit of work's defaults (``emit_all``)."""

    event: Event
    tenant: str | None = None
    event_id: UUID | None = None
    """Keep this CloudEvents id (e.g. an award's own id, so a republished award is recognised)."""
    origin: Origin | None = None
    """Carry this origin instead of the unit of work's (one unit of work applying a run of events)."""


@dataclass(frozen=True)
class Encoded:
    """An event rendered as its JSON payload by a bulk path that skips building the model (``emit_encoded``).

    Whoever renders it answers for it matching the contract: the fake unit of work parses every payload with
    the event's model, so the fast tests of such a path check it.
    """

    subject: str
    """The id of the aggregate it is about (the Kafka key), as the payload's subject field holds it."""
    payload: bytes


@dataclass(frozen=True)
class EmittedEvent:
    """An event a fake unit of work recorded instead of writing it to the outbox."""

    event: Event
    tenant: str
    event_id: UUID | None = None
    origin: Origin | None = None


class _Instant:
    """Reads the clock once, on first use, so one unit of work has one 'now'."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._now: datetime | None = None

    def now(self) -> datetime:
        if self._now is None:
            self._now = self._clock.now()
        return self._now


def _tenant_of(event: Event, tenant: str | None, origin: Origin) -> str:
    """The tenant an emitted event carries: the one given, else the origin's; one of them must say."""
    chosen = tenant or origin.tenant
    if chosen is None:
        raise ValueError(f"{type(event).__name__} needs a tenant: the command's origin has none")
    return chosen


class PostgresUnitOfWork:
    """A unit of work on an open PostgreSQL transaction; services subclass it to add their repositories."""

    def __init__(self, conn: Connection, origin: Origin, clock: Clock, envelope: EventEnvelope | None = None) -> None:
        self.conn = conn
        self._origin = origin
        self._instant = _Instant(clock)
        self._envelope = envelope

    @property
    def origin(self) -> Origin:
        """Where the command came from."""
        return self._origin

    @property
    def envelope(self) -> EventEnvelope:
        """The event this unit of work applies (consumers only; a request or job has none)."""
        if self._envelope is None:
            raise RuntimeError("this unit of work was not started by an event")
        return self._envelope

    def now(self) -> datetime:
        """The instant of this unit of work."""
        return self._instant.now()

    def today(self) -> date:
        """The day in the Netherlands at this unit of work's instant."""
        return dutch_date(self._instant.now())

    async def emit(self, event: Event, *, tenant: str | None = None, event_id: UUID | None = None) -> None:
        """Queue ``event`` in the outbox of this transaction, carrying the origin on."""
        await self.emit_all([Outgoing(event, tenant, event_id)])

    async def emit_all(self, events: Sequence[Outgoing]) -> None:
        """Queue every event in the outbox of this transaction in one statement, in order."""
        queued = []
        for outgoing in events:
            origin = outgoing.origin or self._origin
            envelope = make_envelope(
                outgoing.event,
                source=origin.source,
                tenant=_tenant_of(outgoing.event, outgoing.tenant, origin),
                region=origin.region,
                correlation_id=origin.correlation_id,
                causation_id=origin.causation_id,
                event_id=outgoing.event_id,
            )
            queued.append((outgoing.event, envelope))
        await add_all_to_outbox(self.conn, queued)

    async def emit_tombstone(self, topic: str, key: str) -> None:
        """Queue a tombstone for ``key`` on the compacted ``topic`` (published when this unit of work commits)."""
        await add_tombstone_to_outbox(self.conn, topic, key)

    async def emit_encoded(
        self, event_type: type[Event], events: Sequence[Encoded], *, tenant: str | None = None
    ) -> None:
        """Queue events already rendered as JSON in the outbox with one COPY; each gets a fresh event id."""
        if not events:
            return
        chosen = tenant or self._origin.tenant
        if chosen is None:
            raise ValueError(f"{event_type.__name__} needs a tenant: the command's origin has none")
        headers = HeaderTemplate(
            event_type.event_type,
            source=self._origin.source,
            tenant=chosen,
            region=self._origin.region,
            correlation_id=self._origin.correlation_id,
            causation_id=self._origin.causation_id,
            time=self.now(),
        )
        await copy_to_outbox(
            self.conn,
            [
                (event_type.topic, event.subject, headers.render(str(uuid4()), event.subject), event.payload)
                for event in events
            ],
        )


class FakeUnitOfWork:
    """A unit of work for the fast test tier: events are collected in ``emitted``, nothing is written."""

    def __init__(self, origin: Origin | None = None, clock: Clock | None = None) -> None:
        self._origin = origin or Origin(source="/regions/test/test", region="test", correlation_id=uuid4())
        self._clock = clock or SystemClock()
        self._instant = _Instant(self._clock)
        self.emitted: list[EmittedEvent] = []

    @property
    def origin(self) -> Origin:
        """Where the command came from."""
        return self._origin

    def now(self) -> datetime:
        """The instant of this unit of work."""
        return self._instant.now()

    def today(self) -> date:
        """The day in the Netherlands at this unit of work's instant."""
        return dutch_date(self._instant.now())

    def renew(self, origin: Origin | None = None) -> None:
        """Start the next command on the same fake stores: a new instant (and origin, when given)."""
        self._instant = _Instant(self._clock)
        if origin is not None:
            self._origin = origin

    async def emit(self, event: Event, *, tenant: str | None = None, event_id: UUID | None = None) -> None:
        """Record ``event`` with its tenant (and id, when given)."""
        await self.emit_all([Outgoing(event, tenant, event_id)])

    async def emit_all(self, events: Sequence[Outgoing]) -> None:
        """Record every event with its tenant, id and origin."""
        for outgoing in events:
            origin = outgoing.origin or self._origin
            tenant = _tenant_of(outgoing.event, outgoing.tenant, origin)
            self.emitted.append(EmittedEvent(outgoing.event, tenant, outgoing.event_id, outgoing.origin))

    async def emit_encoded(
        self, event_type: type[Event], events: Sequence[Encoded], *, tenant: str | None = None
    ) -> None:
        """Parse every payload with the event's model (so a bulk renderer is checked) and record it."""
        for encoded in events:
            event = event_type.model_validate_json(encoded.payload)
            if event.subject() != encoded.subject:
                raise ValueError(f"{event_type.__name__} about {event.subject()} was queued as about {encoded.subject}")
            await self.emit_all([Outgoing(event, tenant)])

    def events(self, kind: type[Event] | None = None) -> list[Event]:
        """What was emitted, in order; only events of ``kind`` when given."""
        return [e.event for e in self.emitted if kind is None or isinstance(e.event, kind)]


U = TypeVar("U", bound=PostgresUnitOfWork)
UnitOfWorkFactory = Callable[[Connection, Origin, Clock, EventEnvelope | None], PostgresUnitOfWork]
"""Builds a service's unit of work on an open transaction (``ServiceSpec.unit_of_work``)."""


@asynccontextmanager
async def unit_of_work(
    pool: asyncpg.Pool, origin: Origin, clock: Clock, factory: Callable[[Connection, Origin, Clock, None], U]
) -> AsyncIterator[U]:
    """Open a transaction and a unit of work on it; commit when the block ends normally, else roll back."""
    async with pool.acquire() as conn, conn.transaction():
        yield factory(conn, origin, clock, None)
