"""Reporting's transactions take their gates in one order, before any entity lock (no deadlocks between topics).

Found loading a region into reporting: a volunteers batch that registered volunteers and then erased one took
the erasure gate after its registrations' person locks, while a matches batch held the gate shared and waited
for one of those persons; and two topics' batches upserted the same aggregate rows in different orders.
PostgreSQL aborted one of them again and again, and a batch that lost four times was applied record by record:
260 s for one batch of 1,344 events.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import asyncpg
import pytest

from common.consumer import EventConsumer
from common.locks import KEY_STRIPES, KeyedLock
from contracts.events import HoursLogged, TaskPosted, VolunteerErased, VolunteerRegistered
from reporting.folding import fold_hours
from reporting.projections import AGGREGATES_WRITER, ERASURE_GATE
from reporting.projections._common import lock_entities
from tests.reporting.events import Published, World, at, consumer_records
from tests.reporting.integration.conftest import Reporting, running_reporting

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def reporting(kafka_bootstrap: str, postgres_server_dsn: str) -> AsyncIterator[Reporting]:
    """A reporting service of this module's own without its background fold, which would race the tests' folds."""
    async with running_reporting(kafka_bootstrap, postgres_server_dsn, workers=False) as service:
        yield service


# Long enough for a transaction that does not wait for the lock to have finished.
_WAIT_S = 0.5


def _consumer(reporting: Reporting) -> EventConsumer:
    """The service's live consumer (every projection, the turns it takes), fed here without Kafka."""
    consumer = reporting.app.state.runtime.consumer
    assert isinstance(consumer, EventConsumer)
    return consumer


@asynccontextmanager
async def _held(pool: asyncpg.Pool, lock: int, *, shared: bool = False) -> AsyncIterator[None]:
    """Hold an advisory lock in a transaction of the test's own until the block ends."""
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute(f"SELECT {function}($1)", lock)
        yield


async def _entity_locks_held(pool: asyncpg.Pool) -> int:
    """Reporting's entity locks (tasks, persons) granted to anyone just now."""
    return int(
        await pool.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 AND classid = $1 AND granted",
            int(KeyedLock.REPORTING_ENTITY),
        )
    )


async def _applied_while_held(
    reporting: Reporting, published: Sequence[Published], lock: int, *, shared: bool = False
) -> tuple[bool, int]:
    """Apply ``published`` while another transaction holds ``lock``: whether the batch was still waiting, and the
    entity locks granted meanwhile; once the lock is let go the batch must apply."""
    async with _held(reporting.pool, lock, shared=shared):
        applying = asyncio.create_task(_consumer(reporting).process_batch(consumer_records(published)))
        await asyncio.sleep(_WAIT_S)
        waiting, entity_locks = not applying.done(), await _entity_locks_held(reporting.pool)
    assert await applying
    return waiting, entity_locks


def _registrations_then_an_erasure() -> list[Published]:
    world = World()
    centrale = world.centrale("order")
    erased = world.volunteer(centrale, "3511", "2026-10-01")
    world.take()
    world.volunteer(centrale, "3512", "2026-10-02")
    world.volunteer(centrale, "3513", "2026-10-02")
    world.erase(erased, "2026-10-03")
    return world.take()


async def test_an_erasure_batch_waits_for_the_erasure_gate_before_it_locks_anyone(reporting: Reporting) -> None:
    published = _registrations_then_an_erasure()
    assert [type(item.event) for item in published] == [VolunteerRegistered, VolunteerRegistered, VolunteerErased]

    # ERASURE_GATE shared: as a batch of hours holds it.
    waiting, entity_locks = await _applied_while_held(reporting, published, ERASURE_GATE, shared=True)

    assert waiting
    # Before, the registrations' person locks were held while it waited: whoever held the gate shared and
    # wanted one of those persons deadlocked with it.
    assert entity_locks == 0


async def test_a_batch_that_changes_the_aggregates_waits_for_the_one_in_hand_before_any_entity_lock(
    reporting: Reporting,
) -> None:
    world = World()
    centrale = world.centrale("writer")
    organisation = world.organisation(centrale, "3521", "2026-09-01", admitted="2026-09-02")
    world.take()
    world.task(centrale, organisation, "zorg", "3521", "2026-10-05")
    published = world.take()
    assert [type(item.event) for item in published] == [TaskPosted]

    # Another transaction changing the aggregates.
    waiting, entity_locks = await _applied_while_held(reporting, published, AGGREGATES_WRITER)

    assert waiting
    assert entity_locks == 0
    posted = published[0].event
    assert isinstance(posted, TaskPosted)
    assert await reporting.pool.fetchval("SELECT count(*) FROM task_facts WHERE task_id = $1", posted.task_id) == 1


async def test_new_hours_do_not_wait_for_a_transaction_changing_the_aggregates(reporting: Reporting) -> None:
    # New hours only queue their ids for the fold: an NLdoet burst never waits for another topic's batch.
    world = World()
    centrale = world.centrale("burst")
    organisation = world.organisation(centrale, "3531", "2026-09-01", admitted="2026-09-02")
    task = world.task(centrale, organisation, "natuur", "3531", "2026-10-05")
    volunteer = world.volunteer(centrale, "3531", "2026-10-01")
    match = world.match(task, volunteer, at("2026-10-02"))
    world.take()
    world.hours(match, "2026-10-05", "3.5")
    published = world.take()
    assert [type(item.event) for item in published] == [HoursLogged]

    async with _held(reporting.pool, AGGREGATES_WRITER):
        applied = await asyncio.wait_for(_consumer(reporting).process_batch(consumer_records(published)), timeout=10)

    assert applied
    hours = published[0].event
    assert isinstance(hours, HoursLogged)
    assert await reporting.pool.fetchval("SELECT count(*) FROM hours_facts WHERE hours_id = $1", hours.hours_id) == 1


async def test_the_fold_waits_for_a_projection_holding_its_volunteer(reporting: Reporting) -> None:
    # The fold locks its people's entity stripes in SQL (migration 0081), the projections in Python
    # (common.locks.keyed_xact_locks): both must name the same lock, or a profile update and the fold no longer
    # take turns over the attributes a person's activity carries.
    world = World()
    centrale = world.centrale("fold")
    organisation = world.organisation(centrale, "3541", "2026-09-01", admitted="2026-09-02")
    task = world.task(centrale, organisation, "natuur", "3541", "2026-10-05")
    volunteer = world.volunteer(centrale, "3541", "2026-10-01")
    match = world.match(task, volunteer, at("2026-10-02"))
    world.take()
    world.hours(match, "2026-10-05", "2")
    published = world.take()
    hours = published[0].event
    assert isinstance(hours, HoursLogged)
    assert await _consumer(reporting).process_batch(consumer_records(published))
    pending = "SELECT count(*) FROM hours_pending WHERE hours_id = $1"
    assert await reporting.pool.fetchval(pending, hours.hours_id) == 1

    async with reporting.pool.acquire() as conn, conn.transaction():
        await lock_entities(conn, persons=[hours.volunteer_id])
        folding = asyncio.create_task(fold_hours(reporting.pool))
        await asyncio.sleep(_WAIT_S)
        waiting = not folding.done()

    assert waiting
    assert await folding >= 1
    assert await reporting.pool.fetchval(pending, hours.hours_id) == 0


async def _stripe(pool: asyncpg.Pool, key: str) -> int:
    """The entity stripe ``key`` locks (common.locks.keyed_xact_locks)."""
    return int(await pool.fetchval("SELECT hashtext($1) & $2::int", key, KEY_STRIPES - 1))


async def test_a_writer_takes_every_runs_entity_stripes_at_once_so_an_hours_batch_cannot_deadlock_with_it(
    reporting: Reporting,
) -> None:
    # Task and person keys share stripes. A batch that posts task A and then registers volunteer P used to lock
    # A's stripe in its first run and P's in its second; an hours batch over a task B of P's stripe and over A
    # holds P's stripe shared (sorted: the lower first) and waits for A's: each waits for the other.
    world = World()
    centrale = world.centrale("stripes")
    organisation = world.organisation(centrale, "3551", "2026-09-01", admitted="2026-09-02")
    assert await _consumer(reporting).process_batch(consumer_records(world.take()))
    while True:  # a task and a volunteer whose stripes are in the order the deadlock needs
        task = world.task(centrale, organisation, "natuur", "3551", "2026-09-05")
        volunteer = world.volunteer(centrale, "3551", "2026-10-01")
        published = world.take()
        person_stripe = await _stripe(reporting.pool, f"person:{volunteer}")
        if person_stripe < await _stripe(reporting.pool, f"task:{task}"):
            break
    assert [type(item.event) for item in published] == [TaskPosted, VolunteerRegistered]
    task_of_persons_stripe = await reporting.pool.fetchval(
        "SELECT id FROM (SELECT gen_random_uuid() AS id FROM generate_series(1, 50000)) AS candidates"
        " WHERE hashtext('task:' || id::text) & $1::int = $2 LIMIT 1",
        KEY_STRIPES - 1,
        person_stripe,
    )

    # The hours batch, as far as its first stripe: P's, shared.
    async with reporting.pool.acquire() as hours, hours.transaction():
        await lock_entities(hours, tasks=[task_of_persons_stripe], shared=True)
        applying = asyncio.create_task(_consumer(reporting).process_batch(consumer_records(published)))
        await asyncio.sleep(_WAIT_S)
        waiting, entity_locks = not applying.done(), await _entity_locks_held(reporting.pool)
        # Its second stripe, A's: granted, because the writer holds none of its stripes while it waits.
        await asyncio.wait_for(lock_entities(hours, tasks=[task], shared=True), timeout=_WAIT_S)

    assert waiting
    assert entity_locks == 1  # the hours batch's own
    assert await applying
    assert await reporting.pool.fetchval("SELECT count(*) FROM task_facts WHERE task_id = $1", task) == 1
