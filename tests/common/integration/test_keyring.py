"""The key ring on a real broker and database: a key published before its event opens it, a tombstone shreds it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from uuid import UUID, uuid4

import asyncpg
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaProducer

from common import keyring
from common.db import create_pool
from common.keyring import KeyRing
from common.sealing import new_data_key, region_key_from_environment, seal_profile
from contracts.events import KEY_TOPIC, VolunteerKeyIssued, VolunteerRegistered

pytestmark = pytest.mark.integration

# The session's region key: the keys published here stay on the session broker's key topic, where every service
# the session starts reads them (one wrapped with another region key would stop them from starting, as it should).
KEK = region_key_from_environment()


@pytest_asyncio.fixture(loop_scope="session")
async def pool(fresh_database: str) -> AsyncIterator[asyncpg.Pool]:
    """A database with the consumers' volunteer_keys table."""
    created = await create_pool(fresh_database, 3)
    await created.execute("CREATE TABLE volunteer_keys (volunteer_id uuid PRIMARY KEY, wrapped_key text NOT NULL)")
    try:
        yield created
    finally:
        await created.close()


@pytest_asyncio.fixture(loop_scope="session")
async def producer(kafka_bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    started = AIOKafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    await started.start()
    try:
        yield started
    finally:
        await started.stop()


async def _publish_key(producer: AIOKafkaProducer, volunteer_id: UUID, key: bytes) -> None:
    issued = VolunteerKeyIssued(
        volunteer_id=volunteer_id,
        centrale_id="vc-ring",
        wrapped_key=KEK.wrap(key, volunteer_id),
        kek_fingerprint=KEK.fingerprint,
        issued_at=datetime.now(UTC),
    )
    await producer.send_and_wait(KEY_TOPIC, issued.model_dump_json().encode(), key=str(volunteer_id).encode())


def _sealed(volunteer_id: UUID, key: bytes) -> VolunteerRegistered:
    event = VolunteerRegistered(
        volunteer_id=volunteer_id,
        centrale_id="vc-ring",
        registered_at=datetime.now(UTC),
        target_groups=["statushouder"],
    )
    return seal_profile(event, key)


@pytest.mark.asyncio(loop_scope="session")
async def test_a_key_published_after_the_ring_started_opens_its_event_and_a_tombstone_shreds_it(
    kafka_bootstrap: str, pool: asyncpg.Pool, producer: AIOKafkaProducer
) -> None:
    ring = KeyRing(pool, kafka_bootstrap, KEK, service="test-ring")
    await ring.start()
    try:
        volunteer_id, key = uuid4(), new_data_key()
        # Published now, after the ring read the topic: "not yet here", so the ring reads up to the end and finds it.
        await _publish_key(producer, volunteer_id, key)
        opened = await ring.open(_sealed(volunteer_id, key))
        assert opened.target_groups == ["statushouder"]
        assert await pool.fetchval("SELECT count(*) FROM volunteer_keys WHERE volunteer_id = $1", volunteer_id) == 1

        await producer.send_and_wait(KEY_TOPIC, None, key=str(volunteer_id).encode())  # the registry's tombstone
        await ring.catch_up()

        assert not ring.knows(volunteer_id)
        assert await pool.fetchval("SELECT count(*) FROM volunteer_keys WHERE volunteer_id = $1", volunteer_id) == 0
        shredded = await ring.open(_sealed(volunteer_id, key))
        assert shredded.target_groups == []  # "gone": the event applies without the special categories
    finally:
        await ring.stop()


@pytest.mark.asyncio(loop_scope="session")
async def test_a_key_the_topic_no_longer_has_is_deleted_at_start(
    kafka_bootstrap: str, pool: asyncpg.Pool, producer: AIOKafkaProducer
) -> None:
    compacted_away, kept, key = uuid4(), uuid4(), new_data_key()
    await _publish_key(producer, kept, key)
    # A copy learned before the service was down, whose key and tombstone compaction removed meanwhile.
    await pool.execute(
        "INSERT INTO volunteer_keys VALUES ($1, $2)", compacted_away, KEK.wrap(new_data_key(), compacted_away)
    )

    ring = KeyRing(pool, kafka_bootstrap, KEK, service="test-ring")
    await ring.start()
    try:
        assert not ring.knows(compacted_away)
        assert ring.knows(kept)
        assert await pool.fetchval("SELECT count(*) FROM volunteer_keys WHERE volunteer_id = $1", compacted_away) == 0
    finally:
        await ring.stop()


@pytest.mark.asyncio(loop_scope="session")
async def test_a_restart_writes_no_key_the_table_already_holds_and_still_opens_with_it(
    kafka_bootstrap: str, pool: asyncpg.Pool, producer: AIOKafkaProducer
) -> None:
    # Every start reads the whole key topic (a region's tens of thousands of keys); rewriting each row cost
    # appreciation seconds of its start-up.
    volunteer_id, key = uuid4(), new_data_key()
    await _publish_key(producer, volunteer_id, key)
    first = KeyRing(pool, kafka_bootstrap, KEK, service="test-ring")
    await first.start()
    await first.stop()
    written = await pool.fetchval("SELECT xmin::text FROM volunteer_keys WHERE volunteer_id = $1", volunteer_id)

    again = KeyRing(pool, kafka_bootstrap, KEK, service="test-ring")
    await again.start()
    try:
        assert (
            await pool.fetchval("SELECT xmin::text FROM volunteer_keys WHERE volunteer_id = $1", volunteer_id)
            == written
        ), "the row was written again"
        opened = await again.open(_sealed(volunteer_id, key))
        assert opened.target_groups == ["statushouder"]
    finally:
        await again.stop()


@pytest.mark.asyncio(loop_scope="session")
async def test_the_ring_asks_for_the_end_offsets_without_waiting_behind_its_readers_idle_fetch(
    kafka_bootstrap: str, pool: asyncpg.Pool, producer: AIOKafkaProducer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A broker answers a connection's requests in order and holds a fetch with nothing new up to its max wait;
    # asked on the reader's connection, the end offsets waited that long at each start and each unknown key
    # (500 ms by default). Held far longer here, a ring that still asked there would miss these bounds.
    monkeypatch.setattr(keyring, "_READ_WAIT_MS", 8_000)
    ring = KeyRing(pool, kafka_bootstrap, KEK, service="test-ring")
    async with asyncio.timeout(4):
        await ring.start()
    try:
        await asyncio.sleep(0.5)  # the reader's next fetch is in flight, with nothing new to answer it
        volunteer_id, key = uuid4(), new_data_key()
        await _publish_key(producer, volunteer_id, key)
        async with asyncio.timeout(4):
            opened = await ring.open(_sealed(volunteer_id, key))
        assert opened.target_groups == ["statushouder"]
    finally:
        await ring.stop()
