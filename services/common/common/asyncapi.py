"""AsyncAPI 3.0 documents of the services, built from the same ServiceSpec each service runs.

``python -m common.asyncapi [OUT_DIR]`` writes ``<service>.json`` per service (default ``docs/asyncapi``);
CI checks them with the official parser (``tools/node/validate-asyncapi.mjs``).

Each document has one channel per topic the service touches: the topics its consumer subscribes to
(receive; the operation lists the event types it handles, the channel every type the topic carries),
the topics it publishes through the outbox (send) and the dead-letter topic of each topic it consumes
(send). Every event type is a message whose payload is the contract's JSON Schema (nested models lifted
into ``components.schemas``, so every ``$ref`` resolves) and whose headers are the CloudEvents ``ce_*``
attributes. FastStream's own generator is not used: the consumers subscribe to raw records (decoding,
inbox and dead letters live in ``common.consumer``) and publishing goes through the outbox, so it would
describe raw bytes and no publisher at all.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

from pydantic.json_schema import models_json_schema

from common.consumer import EventConsumer
from common.service import ServiceSpec
from contracts import Event, EventEnvelope, TopicSpec, dead_letter_topic, topic_for

__all__ = ["SERVICES", "asyncapi_document", "published_events", "write_documents"]

SERVICES = ("registry", "matching", "appreciation", "reporting")

_SCHEMAS = "#/components/schemas/{model}"
_KAFKA_BINDING_VERSION = "0.5.0"
_DEAD_LETTER = "DeadLetter"
# Headers the consumer adds to a dead letter (common.consumer), besides the original record's headers.
_DEAD_LETTER_HEADERS = {
    "dlq_consumer": "Consumer group that gave up on the record.",
    "dlq_error_class": "Class of the error (ContractViolation, or the handler's exception after its retries).",
    "dlq_error_message": "The error's message (at most 2,000 characters; never payload values).",
    "dlq_original_topic": "Topic the record was read from.",
    "dlq_original_partition": "Its partition.",
    "dlq_original_offset": "Its offset.",
    "dlq_attempts": "How many times it was tried.",
}


def _channel_id(topic: str) -> str:
    """A channel key the AsyncAPI schema accepts (letters, digits, ``-``, ``_``)."""
    return topic.replace(".", "-")


def _handled_events(spec: ServiceSpec) -> dict[str, list[type[Event]]]:
    """Topic → the event types the service's consumer has handlers for."""
    from contracts.events import EVENT_TYPES

    if spec.register_handlers is None:
        return {}
    consumer = EventConsumer(spec.name, pool=None)
    spec.register_handlers(consumer)
    handled: dict[str, list[type[Event]]] = {topic: [] for topic in consumer.topics}
    for event_type in consumer.handled_types:
        event = EVENT_TYPES[event_type]
        handled.setdefault(event.topic, []).append(event)
    return handled


def published_events(spec: ServiceSpec) -> dict[str, list[type[Event]]]:
    """Topic → the event types the service publishes through its outbox."""
    published: dict[str, list[type[Event]]] = {}
    for event in spec.publishes:
        published.setdefault(event.topic, []).append(event)
    return published


def _events_on(topic: str) -> list[type[Event]]:
    """Every event type the catalogue puts on ``topic``, in declaration order."""
    from contracts.events import EVENT_TYPES

    return [event for event in EVENT_TYPES.values() if event.topic == topic]


def _ce_headers(event: type[Event]) -> dict[str, Any]:
    """The Kafka headers of a record of ``event``: CloudEvents binary mode, ``ce_type`` fixed to its type."""
    properties: dict[str, Any] = {
        "content-type": {"type": "string", "const": "application/json", "description": "Payload media type."}
    }
    required = ["content-type"]
    for name, info in EventEnvelope.model_fields.items():
        if name == "datacontenttype":
            continue  # travels as content-type
        header = f"ce_{name}"
        properties[header] = {"type": "string", "description": info.description or name}
        if info.default is not None or info.default_factory is not None or info.is_required():
            required.append(header)
    properties["ce_type"] = {**properties["ce_type"], "const": event.event_type}
    properties["ce_specversion"] = {**properties["ce_specversion"], "const": "1.0"}
    return {"type": "object", "properties": properties, "required": required}


def _event_message(event: type[Event]) -> dict[str, Any]:
    """The message of one event type: its CloudEvents type, headers, contract payload and Kafka key."""
    topic = topic_for(event.topic)
    return {
        "name": event.event_type,
        "title": event.__name__,
        "summary": (event.__doc__ or event.__name__).strip().splitlines()[0],
        "contentType": "application/json",
        "correlationId": {"location": "$message.header#/ce_correlationid"},
        "headers": _ce_headers(event),
        "payload": {"$ref": _SCHEMAS.format(model=event.__name__)},
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": f"The {topic.key} ({event.subject_field})."},
                "bindingVersion": _KAFKA_BINDING_VERSION,
            }
        },
    }


def _dead_letter_message() -> dict[str, Any]:
    """A record a consumer gave up on, copied unchanged to ``<topic>.dlq`` with ``dlq_*`` headers added."""
    headers = {name: {"type": "string", "description": text} for name, text in _DEAD_LETTER_HEADERS.items()}
    return {
        "name": "dead-letter",
        "title": _DEAD_LETTER,
        "summary": "A record a consumer could not apply: its key, value and headers unchanged, plus dlq_* headers.",
        "contentType": "application/octet-stream",
        "headers": {
            "type": "object",
            "properties": headers,
            "required": sorted(headers),
            # The original record's headers (ce_*) travel along unchanged.
            "additionalProperties": {"type": "string"},
        },
        "payload": {
            "type": "string",
            "format": "binary",
            "description": "The original record's value, byte for byte; it may not be JSON (a reason to be here).",
        },
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": "The original record's key."},
                "bindingVersion": _KAFKA_BINDING_VERSION,
            }
        },
    }


def _channel(topic: TopicSpec, messages: list[str]) -> dict[str, Any]:
    """One topic as a channel: its catalogue description, partitions and retention, and its messages."""
    return {
        "address": topic.name,
        "title": topic.name,
        "description": topic.description or f"Key: {topic.key}.",
        "messages": {name: {"$ref": f"#/components/messages/{name}"} for name in messages},
        "bindings": {
            "kafka": {
                "topic": topic.name,
                "partitions": topic.partitions,
                "topicConfiguration": {
                    "retention.ms": topic.retention_ms,
                    "cleanup.policy": [topic.cleanup_policy],
                },
                "bindingVersion": _KAFKA_BINDING_VERSION,
            }
        },
    }


def _operation(action: str, channel_id: str, messages: list[str], summary: str, group: str | None) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "action": action,
        "channel": {"$ref": f"#/channels/{channel_id}"},
        "summary": summary,
        "messages": [{"$ref": f"#/channels/{channel_id}/messages/{name}"} for name in messages],
    }
    if group is not None:
        operation["bindings"] = {
            "kafka": {"groupId": {"type": "string", "enum": [group]}, "bindingVersion": _KAFKA_BINDING_VERSION}
        }
    return operation


def _schemas(events: list[type[Event]]) -> dict[str, Any]:
    """The payload schema of every event, with the nested models they share as schemas of their own."""
    by_model, top = models_json_schema([(event, "serialization") for event in events], ref_template=_SCHEMAS)
    schemas: dict[str, Any] = dict(top.get("$defs", {}))
    for (event, _), schema in by_model.items():
        # models_json_schema answers a $ref into $defs for each model; two models of one name would get
        # names pydantic makes up, which messages could not find.
        if schema != {"$ref": _SCHEMAS.format(model=event.__name__)}:
            raise ValueError(f"{event.__name__} is not its own schema component: {schema}")
    return dict(sorted(schemas.items()))


_SECURITY_SCHEMES = {
    "scramSha512": {"type": "scramSha512", "description": "KAFKA_SECURITY_PROTOCOL=SASL_SSL + SCRAM-SHA-512."},
    "scramSha256": {"type": "scramSha256", "description": "KAFKA_SASL_MECHANISM=SCRAM-SHA-256."},
    "plain": {"type": "plain", "description": "KAFKA_SASL_MECHANISM=PLAIN (only over TLS)."},
    "mutualTls": {"type": "X509", "description": "KAFKA_SSL_CERTFILE and KAFKA_SSL_KEYFILE: client certificates."},
}


def asyncapi_document(spec: ServiceSpec) -> dict[str, Any]:
    """The AsyncAPI 3.0 document of one service, built from the same spec the service runs."""
    handled = _handled_events(spec)
    published = published_events(spec)
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    events: dict[str, type[Event]] = {}
    for name, on_topic in sorted(published.items()):
        topic, channel_id = topic_for(name), _channel_id(name)
        events.update({event.__name__: event for event in _events_on(name)})
        channels[channel_id] = _channel(topic, [event.__name__ for event in _events_on(name)])
        operations[f"send-{channel_id}"] = _operation(
            "send",
            channel_id,
            [event.__name__ for event in on_topic],
            f"Published through the transactional outbox: {', '.join(event.__name__ for event in on_topic)}.",
            None,
        )
    for name, on_topic in sorted(handled.items()):
        topic, channel_id = topic_for(name), _channel_id(name)
        events.update({event.__name__: event for event in _events_on(name)})
        channels.setdefault(channel_id, _channel(topic, [event.__name__ for event in _events_on(name)]))
        handled_names = ", ".join(event.__name__ for event in on_topic) or "none"
        operations[f"receive-{channel_id}"] = _operation(
            "receive",
            channel_id,
            [event.__name__ for event in on_topic],
            f"Consumer group {spec.name} applies {handled_names} through its inbox; other types are skipped.",
            spec.name,
        )
        dlq = topic_for(dead_letter_topic(name))
        dlq_id = _channel_id(dlq.name)
        channels[dlq_id] = _channel(dlq, [_DEAD_LETTER])
        operations[f"send-{dlq_id}"] = _operation(
            "send", dlq_id, [_DEAD_LETTER], f"Records of {name} that {spec.name} could not apply.", None
        )
    messages: dict[str, Any] = {name: _event_message(event) for name, event in sorted(events.items())}
    if handled:
        messages[_DEAD_LETTER] = _dead_letter_message()
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": spec.name,
            "version": "1",
            "description": spec.description or spec.name,
        },
        "defaultContentType": "application/json",
        "servers": {
            "region": {
                "host": "kafka:9092",
                "protocol": "kafka",
                "description": "The region's Kafka cluster (KAFKA_BOOTSTRAP_SERVERS); PLAINTEXT, TLS or SASL "
                "as KAFKA_SECURITY_PROTOCOL says.",
                "security": [{"$ref": f"#/components/securitySchemes/{name}"} for name in _SECURITY_SCHEMES],
            }
        },
        "channels": dict(sorted(channels.items())),
        "operations": dict(sorted(operations.items())),
        "components": {
            "messages": messages,
            "schemas": _schemas(list(events.values())),
            "securitySchemes": _SECURITY_SCHEMES,
        },
    }


def write_documents(out_dir: Path) -> list[Path]:
    """Write every service's document; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for service in SERVICES:
        spec: ServiceSpec = importlib.import_module(f"{service}.main").SPEC
        path = out_dir / f"{service}.json"
        path.write_text(json.dumps(asyncapi_document(spec), indent=2, sort_keys=True, default=str) + "\n")
        written.append(path)
    return written


if __name__ == "__main__":
    for written_path in write_documents(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/asyncapi")):
        sys.stdout.write(f"wrote {written_path}\n")
