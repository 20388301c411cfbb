"""Generated documentation stays in step with the code, and the AsyncAPI documents are complete."""

from __future__ import annotations

import ast
import importlib
import json
from pathlib import Path
from typing import Any

import pytest

from common.asyncapi import SERVICES, asyncapi_document
from common.consumer import EventConsumer
from common.readme_tables import render_readme
from common.service import ServiceSpec
from contracts import dead_letter_topic
from contracts.events import EVENT_TYPES

ROOT = Path(__file__).resolve().parents[2]
EVENT_NAMES = {event.__name__ for event in EVENT_TYPES.values()}


def _spec(service: str) -> ServiceSpec:
    spec: ServiceSpec = importlib.import_module(f"{service}.main").SPEC
    return spec


def _committed(service: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((ROOT / "docs" / "asyncapi" / f"{service}.json").read_text())
    return document


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [node["$ref"]] if isinstance(node.get("$ref"), str) else [r for v in node.values() for r in _refs(v)]
    if isinstance(node, list):
        return [r for item in node for r in _refs(item)]
    return []


def _resolve(document: dict[str, Any], ref: str) -> Any:
    assert ref.startswith("#/"), ref
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def _operation_events(document: dict[str, Any], action: str) -> dict[str, set[str]]:
    """Topic → message names of the document's operations of ``action``."""
    found: dict[str, set[str]] = {}
    for operation in document["operations"].values():
        if operation["action"] == action:
            address = _resolve(document, operation["channel"]["$ref"])["address"]
            found.setdefault(address, set()).update(ref["$ref"].rsplit("/", 1)[1] for ref in operation["messages"])
    return found


def _emitted_events(package: Path) -> set[str]:
    """Event classes a service package constructs (``events.X(...)`` or ``X(...)``): what it can publish."""
    found = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if name in EVENT_NAMES:
                    found.add(name)
    return found


def test_readme_tables_match_the_settings_and_the_catalogue() -> None:
    readme = (ROOT / "README.md").read_text()
    assert render_readme(readme) == readme, "run `make docs` and commit README.md"


@pytest.mark.parametrize("service", SERVICES)
def test_committed_asyncapi_document_is_current(service: str) -> None:
    generated = json.loads(json.dumps(asyncapi_document(_spec(service)), default=str))
    assert _committed(service) == generated, "run `make docs`"


@pytest.mark.parametrize("service", SERVICES)
def test_every_event_a_service_constructs_is_declared_as_published(service: str) -> None:
    """The spec's publishes list (which the document shows) misses nothing the service's code emits."""
    declared = {event.__name__ for event in _spec(service).publishes}
    package = ROOT / "services" / service / service
    assert _emitted_events(package) <= declared, _emitted_events(package) - declared


@pytest.mark.parametrize("service", SERVICES)
def test_document_names_every_topic_the_service_publishes_and_consumes(service: str) -> None:
    spec, document = _spec(service), _committed(service)
    consumer = EventConsumer(service, pool=None)
    if spec.register_handlers is not None:
        spec.register_handlers(consumer)
    published: dict[str, set[str]] = {}
    for event in spec.publishes:
        published.setdefault(event.topic, set()).add(event.__name__)
    handled: dict[str, set[str]] = {topic: set() for topic in consumer.topics}
    for event_type in consumer.handled_types:
        handled[EVENT_TYPES[event_type].topic].add(EVENT_TYPES[event_type].__name__)
    dead_letters = {dead_letter_topic(topic): {"DeadLetter"} for topic in consumer.topics}
    assert _operation_events(document, "receive") == handled
    assert _operation_events(document, "send") == published | dead_letters


def test_the_registry_document_carries_credentials_which_three_services_consume() -> None:
    sent = _operation_events(_committed("registry"), "send")
    assert sent["registry.credentials.v1"] == {"CredentialIssued", "CredentialRevoked"}
    for consumer in ("matching", "appreciation", "reporting"):
        received = _operation_events(_committed(consumer), "receive")
        assert "registry.credentials.v1" in received, consumer


@pytest.mark.parametrize("service", SERVICES)
def test_every_message_has_a_payload_schema_and_every_ref_resolves(service: str) -> None:
    document = _committed(service)
    for name, message in document["components"]["messages"].items():
        payload = message["payload"]
        schema = _resolve(document, payload["$ref"]) if "$ref" in payload else payload
        assert schema.get("properties") or schema.get("type") == "string", f"{name} has an empty payload"
    for ref in _refs(document):
        assert _resolve(document, ref) is not None, ref
    assert "$defs" not in json.dumps(document), "nested definitions must be lifted into components.schemas"
