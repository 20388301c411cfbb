"""What every projection shares: the advisory gates, erased ids, and handing a run of rows to SQL."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable, Hashable, Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID

from common.consumer import BatchContext
from common.db import Connection
from common.locks import KeyedLock, Lock, keyed_xact_locks

__all__ = [
    "AGGREGATES_WRITER",
    "ERASURE_GATE",
    "SWITCH_GATE",
    "RunProjection",
    "distinct_runs",
    "each",
    "enter_gates",
    "hold_erasures_off",
    "id_hash",
    "lock_entities",
    "records",
]

E = TypeVar("E")
RunProjection = Callable[[Sequence[Any], BatchContext], Awaitable[None]]
"""A projection of a run of consecutive events of one type, in the batch's transaction."""

# Live projections hold it shared for their transaction; the rebuild's switch-over takes it exclusively,
# so no live write lands between its last catch-up and the table swap.
SWITCH_GATE = Lock.REPORTING_SWITCH_GATE

# One transaction at a time changes the aggregates (their rows are shared by many facts): projections of
# different topics upserting the same aggregate rows in different orders deadlocked, and a batch that lost
# three times in a row was applied record by record (a transaction and the triggers' statements per event:
# minutes for one batch of a region catching up). Taken after the switch gate, before every other lock.
AGGREGATES_WRITER = Lock.REPORTING_AGGREGATES

# A projection that may write a volunteer id holds it shared from before it looks the id up in
# ``erased_volunteers``; an erasure holds it exclusively. Without it, under READ COMMITTED, hours written in
# a batch whose erased-id check ran before an erasure committed would keep the real id: the erasure's
# surrogate update cannot see rows of a transaction still open. Erasures are rare, so the wait is too.
ERASURE_GATE = Lock.REPORTING_ERASURE_GATE


async def enter_gates(conn: Connection, *, aggregates: bool, erasure: bool = False) -> None:
    """A transaction's gates, in the one order every reporting writer takes them, before any entity or row lock.

    The switch gate (shared: a rebuild's swap waits); the aggregates' writer lock when the transaction changes
    the aggregates; the erasure gate when it erases a volunteer.
    """
    await conn.execute("SELECT pg_advisory_xact_lock_shared($1)", SWITCH_GATE)
    if aggregates:
        await conn.execute("SELECT pg_advisory_xact_lock($1)", AGGREGATES_WRITER)
    if erasure:
        await conn.execute("SELECT pg_advisory_xact_lock($1)", ERASURE_GATE)


def id_hash(volunteer_id: UUID) -> bytes:
    """SHA-256 of a volunteer id: what ``erased_volunteers`` keeps of an erased one."""
    return hashlib.sha256(volunteer_id.bytes).digest()


async def hold_erasures_off(conn: Connection) -> None:
    """Keep erasures waiting until this transaction ends; called before a statement checks ``erased_volunteers``.

    It waits for an erasure in progress, and the check after it (a new statement, so a new snapshot) sees it.
    """
    await conn.execute("SELECT pg_advisory_xact_lock_shared($1)", ERASURE_GATE)


async def lock_entities(
    conn: Connection, *, tasks: Iterable[UUID] = (), persons: Iterable[UUID | None] = (), shared: bool = False
) -> None:
    """Take turns with projections of other topics that derive facts from the same tasks and volunteers.

    Consumers of different topics run in concurrent transactions. Without turns, a task posted while its
    first match is being written would be seen by neither (each reads the other's row before it commits):
    a write skew. Holding the task's (and the volunteer's) lock, the later one sees the earlier one's rows.
    ``shared``: the caller only reads the entities' rows (hours read their task's area), so such callers
    (hours batches of different partitions) do not wait for each other, only for writers of the entities.
    """
    # Ids deduplicated before they become keys: a run of hours names each task many times (a team's entries).
    keys = [f"task:{task}" for task in set(tasks)] + [f"person:{person}" for person in set(persons) - {None}]
    if keys:
        await keyed_xact_locks(conn, KeyedLock.REPORTING_ENTITY, keys, shared=shared)


def _json(value: object) -> object:
    if isinstance(value, datetime | date | UUID | Decimal):
        return str(value)
    if isinstance(value, bytes):
        return "\\x" + value.hex()
    raise TypeError(f"cannot hand {type(value).__name__} to SQL")


def records(rows: Sequence[dict[str, Any]]) -> str:
    """Rows as the JSON ``jsonb_to_recordset($1::jsonb)`` turns back into typed columns, one statement per run."""
    return json.dumps(list(rows), default=_json)


def distinct_runs(
    events: Sequence[E], ctx: BatchContext, key: Callable[[E], Hashable]
) -> Iterator[list[tuple[E, datetime]]]:
    """The run as (event, recorded) pairs, split where a key comes again: no statement writes a row twice."""
    run: list[tuple[E, datetime]] = []
    seen: set[Hashable] = set()
    for event, envelope in zip(events, ctx.envelopes, strict=True):
        if key(event) in seen:
            yield run
            run, seen = [], set()
        run.append((event, envelope.time))
        seen.add(key(event))
    if run:
        yield run


def each(
    apply: Callable[[Any, BatchContext, int], Awaitable[None]],
) -> RunProjection:
    """A run projection of rare events applied one by one: ``apply(event, ctx, index)``."""

    async def run(events: Sequence[Any], ctx: BatchContext) -> None:
        for index, event in enumerate(events):
            await apply(event, ctx, index)

    run.__name__ = apply.__name__
    run.__doc__ = apply.__doc__
    return run
