"""Consumers under faults, as real processes on a private Kafka and PostgreSQL; every test counts effects.

Each scenario sends a known number of events, injects its fault, waits for the barrier "the consumer group
committed every record sent" and then checks the probe service's count and inbox against what was sent,
exactly. Its effect is an increment per VolunteerRegistered, so a double application would show.
"""

from __future__ import annotations

import secrets
import signal

import pytest
from aiokafka import AIOKafkaProducer

from common.ops import commit_offsets, committed_offsets, read_dead_letters
from contracts import EventEnvelope, dead_letter_topic
from tests.faults.harness import (
    COUNTER,
    VOLUNTEERS,
    Cluster,
    effect_count,
    eventually,
    inbox_rows,
    publish_registrations,
    registration,
)

pytestmark = pytest.mark.faults

DEAD_LETTERS = dead_letter_topic(VOLUNTEERS)


def _centrale() -> str:
    return f"vc-fault-{secrets.token_hex(4)}"


async def test_consumer_killed_mid_stream_applies_every_event_once(cluster: Cluster) -> None:
    """kill -9 while a stream of events is being applied; after a restart each event counts exactly once."""
    sent = 250
    await cluster.isolate(COUNTER)
    database = await cluster.database(COUNTER)
    first = cluster.service(COUNTER, database)
    await cluster.start(first)
    await cluster.settled(first)
    centrale = _centrale()

    await publish_registrations(cluster.bootstrap, centrale, sent)
    targets = await cluster.ends()
    await eventually(lambda: effect_count(database, centrale), lambda n: n >= sent // 5, timeout=60, what="fifth")
    first.kill()

    applied_at_kill = await effect_count(database, centrale)
    committed = await committed_offsets(cluster.bootstrap, COUNTER, targets)
    assert 0 < applied_at_kill < sent, "the kill must land in the middle of the stream"
    assert sum(committed.values()) < sum(targets.values()), "the kill must leave records uncommitted"

    second = cluster.service(COUNTER, database)
    await cluster.start(second)
    await cluster.caught_up(COUNTER, targets)

    assert await effect_count(database, centrale) == sent
    assert await inbox_rows(database, COUNTER) == sent


async def test_sigterm_mid_stream_commits_exactly_what_it_applied(cluster: Cluster) -> None:
    """SIGTERM mid-stream: finished batches commit, the one in hand rolls back; nothing applied is redelivered."""
    sent = 250
    await cluster.isolate(COUNTER)
    start = await cluster.ends()
    database = await cluster.database(COUNTER)
    first = cluster.service(COUNTER, database)
    await cluster.start(first)
    await cluster.settled(first)
    centrale = _centrale()

    await publish_registrations(cluster.bootstrap, centrale, sent)
    targets = await cluster.ends()
    await eventually(lambda: effect_count(database, centrale), lambda n: n >= sent // 5, timeout=60, what="fifth")
    code, took = first.terminate()

    assert code in (0, -signal.SIGTERM), first.process.log_tail()
    assert first.stopped_cleanly(), first.process.log_tail()
    assert took < 10.0, f"shutdown took {took:.1f} s, over COUNTER_SHUTDOWN_TIMEOUT_S=10"
    applied = await inbox_rows(database, COUNTER)
    committed = await committed_offsets(cluster.bootstrap, COUNTER, targets)
    progressed = sum(committed.get(tp, start[tp]) - start[tp] for tp in targets)
    assert 0 < applied < sent, "SIGTERM must land in the middle of the stream"
    assert progressed == applied, "every applied record, and only those, has its offset committed"

    second = cluster.service(COUNTER, database)
    await cluster.start(second)
    await cluster.caught_up(COUNTER, targets)
    assert await effect_count(database, centrale) == sent
    assert await inbox_rows(database, COUNTER) == sent
    assert second.batch_total("applied") == sent - applied


async def test_postgres_restart_under_consumer_retries_and_loses_nothing(cluster: Cluster) -> None:
    """PostgreSQL goes away mid-stream for longer than the retry bound; the consumer waits it out."""
    sent, max_retries = 200, 3
    await cluster.isolate(COUNTER)
    database = await cluster.database(COUNTER)
    counter = cluster.service(COUNTER, database, max_retries=max_retries)
    await cluster.start(counter)
    await cluster.settled(counter)
    centrale = _centrale()
    dead_before = await cluster.ends(DEAD_LETTERS)

    await publish_registrations(cluster.bootstrap, centrale, sent)
    targets = await cluster.ends()
    await eventually(lambda: effect_count(database, centrale), lambda n: n >= sent // 10, timeout=60, what="tenth")
    await cluster.infra.postgres.stop()

    async def outage_attempts() -> int:
        return max((line["outage_attempt"] for line in counter.log_events("event_waiting_for_database")), default=0)

    # Barrier: the record in hand has been retried twice as often as a failing record may be, and is
    # still not dead-lettered, because the database being down is not that record's fault.
    await eventually(outage_attempts, lambda n: n >= 2 * max_retries, timeout=30, what="outage retries", every=0.1)
    await cluster.infra.postgres.start()
    await cluster.caught_up(COUNTER, targets)

    assert await effect_count(database, centrale) == sent
    assert await inbox_rows(database, COUNTER) == sent
    assert await cluster.ends(DEAD_LETTERS) == dead_before, "no event was dead-lettered during the outage"
    assert counter.log_events("event_dead_lettered") == []
    assert counter.process.alive()


async def test_duplicates_and_out_of_order_redelivery_after_rebalance_apply_once(cluster: Cluster) -> None:
    """Copies of events, in reverse order, then a rewind to old offsets split over two new instances."""
    sent, copied, later = 200, 50, 100
    await cluster.isolate(COUNTER)
    start = await cluster.ends()
    database = await cluster.database(COUNTER)
    first = cluster.service(COUNTER, database)
    await cluster.start(first)
    await cluster.settled(first)
    centrale = _centrale()

    published = await publish_registrations(cluster.bootstrap, centrale, sent)
    # The same events delivered twice more, newest first: duplicates that also arrive out of order.
    producer = AIOKafkaProducer(bootstrap_servers=cluster.bootstrap, acks="all")
    await producer.start()
    try:
        for event, envelope, _ in [*reversed(published[:copied]), *reversed(published[:copied])]:
            await producer.send_and_wait(
                VOLUNTEERS,
                event.model_dump_json().encode(),
                key=envelope.subject.encode(),
                headers=envelope.to_headers(),
            )
    finally:
        await producer.stop()
    await cluster.caught_up(COUNTER, await cluster.ends())
    assert await effect_count(database, centrale) == sent
    assert first.batch_total("applied") == sent
    assert first.batch_total("duplicates") == 2 * copied
    code, _ = first.terminate()
    assert code in (0, -signal.SIGTERM)

    # After a rebalance the new owners resume from the last commit they find; here that commit is old
    # (as after a crash before any commit), so everything is delivered again, to two new instances.
    await commit_offsets(cluster.bootstrap, COUNTER, start)
    second, third = cluster.service(COUNTER, database), cluster.service(COUNTER, database)
    await cluster.start(second, third)
    await publish_registrations(cluster.bootstrap, centrale, later)
    await cluster.caught_up(COUNTER, await cluster.ends())
    await cluster.settled(second, third)

    assert await cluster.owned(second), "both instances must own partitions after the rebalance"
    assert await cluster.owned(third), "both instances must own partitions after the rebalance"
    assert await effect_count(database, centrale) == sent + later
    assert await inbox_rows(database, COUNTER) == sent + later
    replayed = second.batch_total("duplicates") + third.batch_total("duplicates")
    applied = second.batch_total("applied") + third.batch_total("applied")
    assert applied == later, "of everything redelivered, only the new events had effects"
    assert replayed >= sent + 2 * copied, "every old record (original and copies) was redelivered and skipped"


async def test_surviving_instance_takes_over_partitions_of_a_killed_one(cluster: Cluster) -> None:
    """Two instances share the partitions; one is killed -9 mid-stream; the other finishes its work."""
    sent = 300
    await cluster.isolate(COUNTER)
    database = await cluster.database(COUNTER)
    doomed, survivor = cluster.service(COUNTER, database), cluster.service(COUNTER, database)
    await cluster.start(doomed, survivor)
    await cluster.settled(doomed, survivor)
    owned = await cluster.owned(doomed)
    assert owned, "each instance owns some partitions"
    assert owned | await cluster.owned(survivor) == set(range(6)), "each instance owns some partitions"
    centrale = _centrale()
    await publish_registrations(cluster.bootstrap, centrale, sent)
    targets = await cluster.ends()
    await eventually(lambda: effect_count(database, centrale), lambda n: n >= sent // 5, timeout=60, what="fifth")
    doomed.kill()
    committed = await committed_offsets(cluster.bootstrap, COUNTER, targets)
    orphaned = {tp for tp in targets if tp.partition in owned and committed.get(tp, 0) < targets[tp]}
    assert orphaned, "the killed instance must leave work behind on its partitions"

    await cluster.caught_up(COUNTER, targets)

    assert await effect_count(database, centrale) == sent
    assert await inbox_rows(database, COUNTER) == sent
    taken_over = survivor.applied_partitions() & owned
    assert taken_over == {tp.partition for tp in orphaned}, "the survivor applied the orphaned partitions' events"
    await cluster.settled(survivor)
    assert await cluster.owned(survivor) == set(range(6))


async def test_poison_messages_are_dead_lettered_and_the_stream_continues(cluster: Cluster) -> None:
    """Bad JSON, a payload of the wrong shape and an unknown type, between valid events on one partition."""
    await cluster.isolate(COUNTER)
    database = await cluster.database(COUNTER)
    counter = cluster.service(COUNTER, database)
    await cluster.start(counter)
    await cluster.settled(counter)
    centrale = _centrale()

    def valid() -> tuple[bytes, EventEnvelope]:
        event, envelope = registration(centrale)
        return event.model_dump_json().encode(), envelope

    def poison(value: bytes, event_type: str | None = None) -> tuple[bytes, EventEnvelope]:
        _, envelope = registration(centrale)
        if event_type is not None:
            envelope = envelope.model_copy(update={"type": event_type})
        return value, envelope

    poisons = {
        "bad-json": poison(b'{"volunteer_id": '),
        "wrong-schema": poison(b'{"volunteer_id": "not-a-uuid", "registered_at": "yesterday"}'),
        "unknown-type": poison(b"{}", "nl.vrijwilligerscentrale.volunteer.teleported.v1"),
    }
    stream = [valid(), valid(), poisons["bad-json"], valid(), poisons["wrong-schema"], valid()]
    stream += [poisons["unknown-type"], valid(), valid()]
    producer = AIOKafkaProducer(bootstrap_servers=cluster.bootstrap, acks="all")
    await producer.start()
    try:
        # One key for all: every record lands on the same partition, behind and in front of the poison.
        landed = [
            await producer.send_and_wait(VOLUNTEERS, value, key=b"poison-lane", headers=envelope.to_headers())
            for value, envelope in stream
        ]
    finally:
        await producer.stop()
    assert len({record.partition for record in landed}) == 1
    await cluster.caught_up(COUNTER, await cluster.ends())

    valid_count = len(stream) - len(poisons)
    assert await effect_count(database, centrale) == valid_count
    assert await inbox_rows(database, COUNTER) == valid_count
    letters = [
        letter for letter in await read_dead_letters(cluster.bootstrap, [DEAD_LETTERS])
        if letter.headers.get("ce_tenant") == centrale
    ]  # fmt: skip
    by_id = {letter.event_id: letter for letter in letters}
    assert len(letters) == len(poisons) == len(by_id)
    for name, (value, envelope) in poisons.items():
        letter = by_id[str(envelope.id)]
        where = landed[stream.index((value, envelope))]
        assert letter.consumer == COUNTER, name
        assert letter.error_class == "ContractViolation", name
        assert (letter.original_topic, letter.original_position) == (
            VOLUNTEERS,
            f"{VOLUNTEERS}[{where.partition}]@{where.offset}",
        ), name
        assert letter.value == value, name
    assert "payload violates VolunteerRegistered" in by_id[str(poisons["bad-json"][1].id)].error_message
    assert "payload violates VolunteerRegistered" in by_id[str(poisons["wrong-schema"][1].id)].error_message
    assert "unknown event type" in by_id[str(poisons["unknown-type"][1].id)].error_message
    assert counter.process.alive()
