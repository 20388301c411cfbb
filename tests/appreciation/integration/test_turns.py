"""A batch about several volunteers waits for all their turns, in one order, before it locks any of their rows.

Found loading the NLdoet bench's region: a batch of registrations and a batch of their matches (two topics,
applied at once) each claimed their volunteers in the order of their events, each held a row the other
wanted, and PostgreSQL aborted one of them again and again; after three aborts a batch of 2,000 events was
applied record by record, 80-170 s each time, eight times in one load.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from uuid import UUID, uuid4

import asyncpg
import pytest
from aiokafka.structs import ConsumerRecord

from appreciation.handlers import register_handlers
from appreciation.repositories import PostgresVolunteerRepository
from appreciation.unit_of_work import PostgresAppreciationUnitOfWork
from common.consumer import EventConsumer
from contracts import Event, EventEnvelope
from contracts.events import MatchMade
from tests.appreciation.integration.conftest import Appreciation

pytestmark = pytest.mark.integration

# Long enough for a batch that does not wait to have finished.
_WAIT_S = 0.5


def _consumer(appreciation: Appreciation) -> EventConsumer:
    """Appreciation's handlers and turns on a consumer of the test's own, fed here without Kafka."""
    consumer = EventConsumer(
        f"appreciation-turns-{secrets.token_hex(4)}", appreciation.pool, unit_of_work=PostgresAppreciationUnitOfWork
    )
    register_handlers(consumer)
    return consumer


def _records(events: Sequence[Event], tenant: str) -> list[ConsumerRecord[bytes, bytes]]:
    """The events as the consumer gets them from Kafka, one partition, in order."""
    records = []
    for offset, event in enumerate(events):
        envelope = EventEnvelope(
            source="/regions/test/matching", type=event.event_type, subject=event.subject(), tenant=tenant,
            region="test",
        )  # fmt: skip
        value = event.model_dump_json().encode()
        records.append(ConsumerRecord(
            topic=event.topic, partition=0, offset=offset, timestamp=0, timestamp_type=0,
            key=envelope.subject.encode(), value=value, checksum=None, serialized_key_size=len(envelope.subject),
            serialized_value_size=len(value), headers=envelope.to_headers(),
        ))  # fmt: skip
    return records


def _match(centrale_id: str, volunteer_id: UUID) -> MatchMade:
    return MatchMade(
        match_id=uuid4(),
        task_id=uuid4(),
        volunteer_id=volunteer_id,
        organisation_id=uuid4(),
        centrale_id=centrale_id,
        volunteer_centrale_id=centrale_id,
        made_at=datetime.now(UTC),
    )


@asynccontextmanager
async def _turn_held(pool: asyncpg.Pool, volunteer_id: UUID) -> AsyncIterator[None]:
    """Hold the volunteer's turn in a transaction of the test's own (as another batch about them would)."""
    async with pool.acquire() as conn, conn.transaction():
        await PostgresVolunteerRepository(conn).wait_turns([volunteer_id])
        yield


async def _row_free(pool: asyncpg.Pool, volunteer_id: UUID) -> bool:
    """Whether nobody holds the volunteer's row lock just now."""
    async with pool.acquire() as conn, conn.transaction():
        try:
            await conn.execute("SELECT 1 FROM volunteers WHERE id = $1 FOR UPDATE NOWAIT", volunteer_id)
        except asyncpg.LockNotAvailableError:
            return False
    return True


async def test_a_batch_waits_for_every_volunteers_turn_before_it_locks_any_of_their_rows(
    appreciation: Appreciation,
) -> None:
    centrale_id, _ = await appreciation.new_centrale()
    first, second = await appreciation.volunteer(centrale_id), await appreciation.volunteer(centrale_id)
    events = [_match(centrale_id, first), _match(centrale_id, second)]

    async with _turn_held(appreciation.pool, second):
        applying = asyncio.create_task(_consumer(appreciation).process_batch(_records(events, centrale_id)))
        await asyncio.sleep(_WAIT_S)
        waiting = not applying.done()
        # Before, the batch claimed the first volunteer's row and then waited for the second's: whoever held the
        # second and wanted the first (their registrations' batch) deadlocked with it.
        first_free = await _row_free(appreciation.pool, first)
    assert await applying

    assert waiting
    assert first_free
    matched = await appreciation.pool.fetchval(
        "SELECT count(*) FROM matches WHERE volunteer_id = ANY($1::uuid[])", [first, second]
    )
    assert matched == 2


async def test_a_lone_volunteers_batch_takes_no_turn(appreciation: Appreciation) -> None:
    # One volunteer cannot hold a row another batch about several is waiting for while waiting for theirs.
    centrale_id, _ = await appreciation.new_centrale()
    volunteer_id = await appreciation.volunteer(centrale_id)
    events = [_match(centrale_id, volunteer_id), _match(centrale_id, volunteer_id)]

    async with _turn_held(appreciation.pool, volunteer_id):
        applied = await asyncio.wait_for(
            _consumer(appreciation).process_batch(_records(events, centrale_id)), timeout=_WAIT_S * 10
        )

    assert applied
    assert await appreciation.pool.fetchval("SELECT count(*) FROM matches WHERE volunteer_id = $1", volunteer_id) == 2
