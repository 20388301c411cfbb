"""Envelope headers round-trip, events stay free of personal data, the catalogue is complete."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

import pytest
from pydantic import ValidationError

from contracts import TOPICS, EventEnvelope, dead_letter_topic, topic_for
from contracts.events import EVENT_TYPES, KEY_TOPIC, VolunteerRegistered

# Personal data never travels on Kafka (DESIGN.md, privacy by design).
PERSONAL_FIELDS = {"name", "first_name", "last_name", "email", "phone", "address", "street", "birth_date",
                   "date_of_birth", "postcode", "notes", "bsn"}  # fmt: skip


def test_envelope_round_trips_through_kafka_headers() -> None:
    envelope = EventEnvelope(
        source="/regions/r/registry", type="t.v1", subject="s", tenant="vc-a", region="r", causationid=uuid4()
    )
    headers = envelope.to_headers()
    assert ("content-type", b"application/json") in headers
    assert all(name.startswith("ce_") or name == "content-type" for name, _ in headers)
    assert EventEnvelope.from_headers(headers) == envelope


def test_envelope_without_required_attributes_is_refused() -> None:
    with pytest.raises(ValidationError, match="tenant"):
        EventEnvelope.from_headers([("ce_type", b"t.v1"), ("ce_source", b"/x"), ("ce_subject", b"s")])


@pytest.mark.parametrize("model", list(EVENT_TYPES.values()), ids=list(EVENT_TYPES))
def test_no_event_carries_a_personal_field(model: type) -> None:
    assert set(model.model_fields) & PERSONAL_FIELDS == set()


@pytest.mark.parametrize("model", list(EVENT_TYPES.values()), ids=list(EVENT_TYPES))
def test_every_event_travels_on_a_catalogued_topic_with_a_dead_letter_topic(model: type) -> None:
    topic = topic_for(model.topic)
    assert topic.partitions >= 1
    if topic.dead_letters:
        assert topic_for(dead_letter_topic(model.topic)).partitions == 1
    else:
        # The key topic: a dead-lettered copy of a key would outlive its tombstone.
        assert dead_letter_topic(model.topic) not in {t.name for t in TOPICS}


def test_the_key_topic_is_compacted_published_first_and_never_dead_lettered() -> None:
    keys = topic_for(KEY_TOPIC)
    assert keys.configs()["cleanup.policy"] == "compact"
    assert int(keys.configs()["max.compaction.lag.ms"]) <= 60 * 60 * 1000
    assert keys.published_first
    assert not keys.dead_letters
    assert [t.name for t in TOPICS if t.published_first] == [KEY_TOPIC]


def test_catalogue_names_are_unique_and_follow_the_convention() -> None:
    names = [topic.name for topic in TOPICS]
    assert len(names) == len(set(names))
    for name in names:
        producer, _stream, version, *dlq = name.split(".")
        assert producer in {"registry", "matching", "appreciation", "reporting"}
        assert version.startswith("v")
        assert dlq in ([], ["dlq"])


def test_payload_ignores_unknown_fields_and_refuses_bad_ones() -> None:
    base = {"volunteer_id": str(uuid4()), "centrale_id": "vc-a", "registered_at": datetime.now(UTC).isoformat()}
    event = VolunteerRegistered.model_validate({**base, "added_in_a_later_version": 1})
    assert event.centrale_id == "vc-a"
    with pytest.raises(ValidationError, match="postcode_area"):
        VolunteerRegistered.model_validate({**base, "postcode_area": "3511 AB"})
