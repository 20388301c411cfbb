"""Kafka records into contract events: the CloudEvents headers and the JSON payload, validated once each."""

from __future__ import annotations

from typing import TypeAlias

from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError

from common.errors import ContractViolation
from contracts import EVENT_TYPES, Event, EventEnvelope

__all__ = ["Record", "decode"]

Record: TypeAlias = "ConsumerRecord[bytes, bytes]"

_model_of = EVENT_TYPES.get


def decode(record: Record) -> tuple[EventEnvelope, Event]:
    """Parse a Kafka record into envelope and payload; raise ContractViolation when it cannot be.

    The headers are validated once, by the envelope model; the payload once, by its model straight from the
    record's bytes (pydantic-core parses and validates in one pass, without an intermediate dict).
    """
    try:
        envelope = EventEnvelope.from_headers(record.headers)
    except ValidationError as error:
        raise ContractViolation(f"invalid CloudEvents headers: {error.errors(include_url=False)}") from error
    except (UnicodeDecodeError, AttributeError) as error:
        raise ContractViolation(f"unreadable CloudEvents header: {error}") from error
    model = _model_of(envelope.type)
    if model is None:
        raise ContractViolation(f"unknown event type {envelope.type!r}")
    if model.topic != record.topic:
        raise ContractViolation(f"event type {envelope.type!r} does not belong on topic {record.topic!r}")
    if record.value is None:
        raise ContractViolation("record has no value")
    try:
        payload = model.model_validate_json(record.value)
    except ValidationError as error:
        raise ContractViolation(f"payload violates {model.__name__}: {error.errors(include_url=False)}") from error
    subject = payload.subject()
    if subject != envelope.subject:
        raise ContractViolation(f"ce_subject {envelope.subject!r} differs from payload id {subject!r}")
    return envelope, payload
