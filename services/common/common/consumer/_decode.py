"""Kafka records into contract events: the CloudEvents headers and the JSON payload, validated once each."""

from __future__ import annotations

from typing import TypeAlias

from aiokafka.structs import ConsumerRecord
from pydantic import ValidationError

from common.errors import ContractViolation
from contracts import Event, EventEnvelope, event_type_of

__all__ = ["Record", "decode"]

Record: TypeAlias = "ConsumerRecord[bytes, bytes]"


def decode(record: Record) -> tuple[EventEnvelope, Event]:
    """Parse a Kafka record into envelope and payload; raise ContractViolation when it cannot be."""
    try:
        envelope = EventEnvelope.from_headers(record.headers)
    except ValidationError as error:
        raise ContractViolation(f"invalid CloudEvents headers: {error.errors(include_url=False)}") from error
    except (UnicodeDecodeError, AttributeError) as error:
        raise ContractViolation(f"unreadable CloudEvents header: {error}") from error
    model = event_type_of(envelope.type)
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
    if payload.subject() != envelope.subject:
        raise ContractViolation(f"ce_subject {envelope.subject!r} differs from payload id {payload.subject()!r}")
    return envelope, payload
