"""Decoding Kafka records into contract events, and the reasons a record is refused."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from aiokafka.structs import ConsumerRecord

from common.consumer import ContractViolation, decode
from contracts import EventEnvelope
from contracts.events import VolunteerRegistered


def _record(
    value: bytes | None, headers: list[tuple[str, bytes]], topic: str = "registry.volunteers.v1"
) -> ConsumerRecord[bytes, bytes]:
    return ConsumerRecord(
        topic=topic, partition=0, offset=7, timestamp=0, timestamp_type=0, key=b"k", value=value,
        checksum=None, serialized_key_size=1, serialized_value_size=len(value or b""), headers=headers,
    )  # fmt: skip


def _event() -> tuple[VolunteerRegistered, EventEnvelope]:
    event = VolunteerRegistered(volunteer_id=uuid4(), centrale_id="vc-a", registered_at=datetime.now(UTC))
    envelope = EventEnvelope(source="/r", type=event.event_type, subject=event.subject(), tenant="vc-a", region="r")
    return event, envelope


def test_decodes_a_valid_record() -> None:
    event, envelope = _event()
    decoded_envelope, payload = decode(_record(event.model_dump_json().encode(), envelope.to_headers()))
    assert decoded_envelope == envelope
    assert payload == event


@pytest.mark.parametrize(
    ("mutate", "reason"),
    [
        (lambda v, h: (b"{not json", h), "payload violates VolunteerRegistered"),
        (lambda v, h: (b'{"volunteer_id": "x"}', h), "payload violates VolunteerRegistered"),
        (lambda v, h: (v, [x for x in h if x[0] != "ce_tenant"]), "invalid CloudEvents headers"),
        (lambda v, h: (v, [(n, b"nl.unknown.v9" if n == "ce_type" else x) for n, x in h]), "unknown event type"),
        (lambda v, h: (v, [(n, b"someone-else" if n == "ce_subject" else x) for n, x in h]), "differs from payload"),
        (lambda v, h: (None, h), "no value"),
        (lambda v, h: (v, [(n, b"\xff\xfe" if n == "ce_tenant" else x) for n, x in h]), "unreadable CloudEvents"),
        (lambda v, h: (v, [(n, None if n == "ce_region" else x) for n, x in h]), "unreadable CloudEvents"),
    ],
    ids=[
        "bad-json",
        "wrong-schema",
        "missing-header",
        "unknown-type",
        "subject-mismatch",
        "tombstone",
        "header-not-utf8",
        "header-without-value",
    ],
)
def test_refuses_records_that_violate_the_contract(mutate, reason) -> None:  # type: ignore[no-untyped-def]
    event, envelope = _event()
    value, headers = mutate(event.model_dump_json().encode(), envelope.to_headers())
    with pytest.raises(ContractViolation, match=reason):
        decode(_record(value, headers))


def test_refuses_an_event_on_the_wrong_topic() -> None:
    event, envelope = _event()
    with pytest.raises(ContractViolation, match="does not belong on topic"):
        decode(_record(event.model_dump_json().encode(), envelope.to_headers(), topic="registry.tasks.v1"))
