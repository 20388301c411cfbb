"""AsyncAPI documents generated from the services' own subscribers and publishers.

``python -m common.asyncapi [OUT_DIR]`` writes ``<service>.json`` per service (default ``docs/asyncapi``).
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from common.consumer import EventConsumer
from common.kafka import broker_options
from common.service import ServiceSpec
from contracts import Event

__all__ = ["SERVICES", "asyncapi_document", "write_documents"]

SERVICES = ("registry", "matching", "appreciation", "reporting")


def _union_schema(events: list[type[Event]]) -> dict[str, Any]:
    return {"oneOf": [{"$ref": f"#/components/schemas/{event.__name__}"} for event in events]}


def asyncapi_document(spec: ServiceSpec, region: str = "<region>") -> dict[str, Any]:
    """The AsyncAPI 3.0 document of one service, built from the same spec the service runs."""
    broker = KafkaBroker(**broker_options("kafka:9092"), description=spec.description)
    if spec.register_handlers is not None:
        consumer = EventConsumer(spec.name, pool=None)
        spec.register_handlers(consumer)
        consumer.attach(broker)
    by_topic: dict[str, list[type[Event]]] = {}
    for event in spec.publishes:
        by_topic.setdefault(event.topic, []).append(event)
    for topic, events in sorted(by_topic.items()):
        # Published through the outbox relay; declared here so the document shows what goes out.
        broker.publisher(
            topic,
            title=f"{spec.name}:{topic}:publish",
            description=f"Published via the transactional outbox: {', '.join(e.__name__ for e in events)}.",
            schema=events[0] if len(events) == 1 else None,
        )
    document: dict[str, Any] = (
        AsyncAPI(broker, title=spec.name, version="1", description=spec.description).to_specification().to_jsonable()
    )
    # FastStream names subscriber payloads after the handler's signature, which takes the raw record
    # (decoding, inbox and dead letters happen in common.consumer): add the contract schemas.
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for events in [*by_topic.values(), *_handled_events(spec).values()]:
        for event in events:
            schemas[event.__name__] = event.model_json_schema(ref_template="#/components/schemas/{model}")
    messages = document["components"].get("messages", {})
    for topic, events in _handled_events(spec).items():
        message = messages.get(f"{spec.name}:{topic}:SubscribeMessage")
        if message is not None:
            message["payload"] = _union_schema(events)
            message["headers"] = {"description": "CloudEvents 1.0 attributes as ce_* headers (binary mode)."}
    schemas.pop("EmptyPayload", None)
    document["x-events"] = {
        "consumes": {topic: [e.event_type for e in events] for topic, events in _handled_events(spec).items()},
        "publishes": {topic: [e.event_type for e in events] for topic, events in by_topic.items()},
    }
    return document


def _handled_events(spec: ServiceSpec) -> dict[str, list[type[Event]]]:
    from contracts.events import EVENT_TYPES

    if spec.register_handlers is None:
        return {}
    consumer = EventConsumer(spec.name, pool=None)
    spec.register_handlers(consumer)
    handled: dict[str, list[type[Event]]] = {}
    for event_type in consumer.handled_types:
        event = EVENT_TYPES[event_type]
        handled.setdefault(event.topic, []).append(event)
    return handled


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
