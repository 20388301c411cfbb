"""The unit of work's emit and announce, as appreciation uses them: events keep the ids and origins given, in order."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from uuid import UUID, uuid4

from appreciation.announcements import announcement
from appreciation.unit_of_work import AppreciationUnitOfWork, PostgresAppreciationUnitOfWork
from common.uow import Origin, Outgoing
from contracts import EventEnvelope
from contracts.events import AppreciationAwarded
from tests.appreciation.builders import award_of
from tests.appreciation.fakes import FakeAppreciationUnitOfWork


def _awarded(recipient_id: UUID) -> AppreciationAwarded:
    return AppreciationAwarded(
        award_id=uuid4(),
        recipient_id=recipient_id,
        centrale_id="vc-a",
        rule_id="hours-10",
        rule_kind="hours_milestone",
        title="10 uur",
        trigger_event_id=uuid4(),
        trigger_event_type="nl.vrijwilligerscentrale.hours.logged.v1",
        awarded_at=datetime(2026, 3, 14, tzinfo=UTC),
    )


async def _emitted(uow: AppreciationUnitOfWork) -> list[tuple[AppreciationAwarded, EventEnvelope | None, str]]:
    """What was emitted: the event, the envelope written (PostgreSQL only) and the tenant."""
    if isinstance(uow, FakeAppreciationUnitOfWork):
        return [(e.event, None, e.tenant) for e in uow.emitted]  # type: ignore[misc]
    assert isinstance(uow, PostgresAppreciationUnitOfWork)
    rows = await uow.conn.fetch("SELECT headers, payload FROM outbox ORDER BY id")
    emitted = []
    for row in rows:
        headers = [(name, value.encode()) for name, value in json.loads(row["headers"])]
        envelope = EventEnvelope.from_headers(headers)
        emitted.append((AppreciationAwarded.model_validate_json(row["payload"]), envelope, envelope.tenant))
    return emitted


async def test_events_emitted_together_keep_their_order_ids_tenants_and_origins(uow: AppreciationUnitOfWork) -> None:
    cause = Origin(
        source="/regions/test/appreciation", region="test", correlation_id=uuid4(), causation_id=uuid4(), tenant="vc-x"
    )
    first, second, third = (_awarded(uuid4()) for _ in range(3))

    await uow.emit_all(
        [
            Outgoing(first, tenant="vc-a", event_id=first.award_id, origin=cause),
            Outgoing(second, tenant="vc-b", event_id=second.award_id),
        ]
    )
    await uow.emit(third, tenant="vc-c", event_id=third.award_id)
    await uow.emit_all([])

    emitted = await _emitted(uow)
    assert [(event, tenant) for event, _, tenant in emitted] == [(first, "vc-a"), (second, "vc-b"), (third, "vc-c")]
    if isinstance(uow, FakeAppreciationUnitOfWork):
        assert [(e.event_id, e.origin) for e in uow.emitted] == [
            (first.award_id, cause),
            (second.award_id, None),
            (third.award_id, None),
        ]
        return
    envelopes = [envelope for _, envelope, _ in emitted]
    assert [e.id for e in envelopes if e] == [first.award_id, second.award_id, third.award_id]
    assert [(e.correlationid, e.causationid) for e in envelopes if e] == [
        (cause.correlation_id, cause.causation_id),
        (uow.origin.correlation_id, uow.origin.causation_id),
        (uow.origin.correlation_id, uow.origin.causation_id),
    ]


async def test_awards_announced_keep_their_order_ids_centrales_and_origins(uow: AppreciationUnitOfWork) -> None:
    cause = Origin(
        source="/regions/test/appreciation", region="test", correlation_id=uuid4(), causation_id=uuid4(), tenant="vc-x"
    )
    first, second = award_of(uuid4(), centrale_id="vc-a"), award_of(uuid4(), "hours-25", centrale_id="vc-b")

    await uow.announce([(first, cause), (second, None)])
    await uow.announce([])

    emitted = await _emitted(uow)
    assert [(event, tenant) for event, _, tenant in emitted] == [
        (announcement(first), "vc-a"),
        (announcement(second), "vc-b"),
    ]
    if isinstance(uow, FakeAppreciationUnitOfWork):
        assert [(e.event_id, e.origin) for e in uow.emitted] == [(first.award_id, cause), (second.award_id, None)]
        return
    envelopes = [envelope for _, envelope, _ in emitted if envelope]
    assert [(e.id, e.time) for e in envelopes] == [
        (first.award_id, first.awarded_at),
        (second.award_id, second.awarded_at),
    ]
    assert [(e.source, e.correlationid, e.causationid) for e in envelopes] == [
        (cause.source, cause.correlation_id, cause.causation_id),
        (uow.origin.source, uow.origin.correlation_id, uow.origin.causation_id),
    ]
