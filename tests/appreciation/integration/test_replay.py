"""Replaying every topic from the start (ops replay tool, or a rebuild into an empty database) awards nothing new."""

from __future__ import annotations

import json
import secrets

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from common.consumer import EventConsumer
from common.localinfra.postgres import create_database
from common.ops.replay import replay_projection
from contracts import EventEnvelope, topic_for
from tests.appreciation.integration.conftest import Appreciation, running_appreciation
from tests.support.kafka import wait_for_group_offset

pytestmark = pytest.mark.integration


async def _caught_up(app: Appreciation) -> None:
    """Wait until the app's group committed the end of every partition of every topic it consumes."""
    consumer = EventConsumer(app.group, pool=None)
    assert app.spec.register_handlers is not None
    app.spec.register_handlers(consumer)
    partitions = [TopicPartition(t, p) for t in consumer.topics for p in range(topic_for(t).partitions)]
    reader = AIOKafkaConsumer(bootstrap_servers=app.bootstrap, enable_auto_commit=False)
    await reader.start()
    try:
        ends = await reader.end_offsets(partitions)
    finally:
        await reader.stop()
    for tp, end in ends.items():
        if end > 0:
            await wait_for_group_offset(app.bootstrap, app.group, tp.topic, tp.partition, end - 1, timeout=120)


async def _history(app: Appreciation) -> tuple[str, str]:
    """A volunteer with hours at two organisations, crossing milestones; returns centrale and volunteer ids."""
    centrale_id, _ = await app.new_centrale()
    volunteer_id = await app.volunteer(centrale_id, age_band="18-20")
    for name in ("Voedselbank", "Bibliotheek"):
        organisation_id = await app.organisation(centrale_id, name)
        task_id = await app.task(centrale_id, organisation_id, "ouderen", ["koken"])
        match = await app.match(centrale_id, volunteer_id, organisation_id, task_id)
        for hours in ("20", "24", "8"):
            await app.publish_applied(app.hours(match, hours), centrale_id)
    return centrale_id, str(volunteer_id)


# The group reads every topic from the start, other tests' events too. Their worlds are dated years ahead, where
# hours logged after an anniversary but worked before it award it or not by the order of arrival across topics;
# in real time the daily anniversary job settles that (services/appreciation README), in those worlds not yet.
# So the test's own centrale's awards are compared, all of them, row by row.
_OWN_AWARDS = "SELECT * FROM awards WHERE centrale_id = $1 ORDER BY award_id"
_OWN_OUTBOX_ROWS = "SELECT count(*) FROM outbox WHERE key = $1"


async def test_replaying_all_topics_awards_nothing_new(kafka_bootstrap: str, postgres_server_dsn: str) -> None:
    suffix = secrets.token_hex(5)
    dsn = await create_database(postgres_server_dsn, f"appreciation_replay_{suffix}")
    group = f"appreciation-replay-{suffix}"
    async with running_appreciation(kafka_bootstrap, dsn, group) as app:
        centrale_id, volunteer_id = await _history(app)
        await _caught_up(app)
        awards_before = [dict(row) for row in await app.pool.fetch(_OWN_AWARDS, centrale_id)]
        published_before = await app.published_awards(volunteer_id)  # type: ignore[arg-type]
        outbox_before = await app.pool.fetchval(_OWN_OUTBOX_ROWS, volunteer_id)
        hours_before = await app.pool.fetchval("SELECT sum(hours) FROM hours")
        spec = app.spec
    assert {json.loads(r.value)["rule_id"] for r in published_before} == {
        "first-match",
        "hours-10",
        "hours-25",
        "hours-50",
        "hours-100",
        "mdt-basis",
    }

    # The ops tool: offsets back to the start, projections and inbox emptied (the service is stopped).
    result = await replay_projection(kafka_bootstrap, spec, dsn, wait_for_empty_s=60)
    assert result.inbox_rows_deleted > 0

    async with running_appreciation(kafka_bootstrap, dsn, group) as app:
        await _caught_up(app)
        await app.outbox_drained()
        assert await app.pool.fetchval("SELECT sum(hours) FROM hours") == hours_before  # rebuilt, not doubled
        assert [dict(row) for row in await app.pool.fetch(_OWN_AWARDS, centrale_id)] == awards_before
        assert await app.pool.fetchval(_OWN_OUTBOX_ROWS, volunteer_id) == outbox_before
        published_after = await app.published_awards(volunteer_id)  # type: ignore[arg-type]
    assert [(r.partition, r.offset) for r in published_after] == [(r.partition, r.offset) for r in published_before]


async def test_a_rebuild_into_an_empty_database_gives_every_award_the_same_id(
    kafka_bootstrap: str, postgres_server_dsn: str
) -> None:
    suffix = secrets.token_hex(5)
    first_dsn = await create_database(postgres_server_dsn, f"appreciation_first_{suffix}")
    async with running_appreciation(kafka_bootstrap, first_dsn, f"appreciation-first-{suffix}") as app:
        _, volunteer_id = await _history(app)
        original = {
            row["award_id"]: row["rule_id"]
            for row in await app.pool.fetch("SELECT * FROM awards WHERE recipient_id = $1::uuid", volunteer_id)
        }

    rebuilt_dsn = await create_database(postgres_server_dsn, f"appreciation_rebuilt_{suffix}")
    async with running_appreciation(kafka_bootstrap, rebuilt_dsn, f"appreciation-rebuilt-{suffix}") as app:
        await _caught_up(app)
        rebuilt = {
            row["award_id"]: row["rule_id"]
            for row in await app.pool.fetch("SELECT * FROM awards WHERE recipient_id = $1::uuid", volunteer_id)
        }
        records = await app.published_awards(volunteer_id)  # type: ignore[arg-type]

    assert rebuilt == original
    # Published again by the rebuilt service, each award carries the same CloudEvents id: consumers' inboxes
    # (the registry's thank-you messages) take it once.
    ids = [EventEnvelope.from_headers(r.headers).id for r in records]
    assert sorted(set(ids)) == sorted(original)
    assert len(ids) == 2 * len(original)
