"""The committed JSON Schemas match the models, and no published schema changed incompatibly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from contracts.events import EVENT_TYPES
from contracts.schema_export import SCHEMA_DIR, event_schemas, render
from tests.support.schema_compat import incompatibilities

GENERATED = event_schemas()
COMMITTED = {path.stem: json.loads(path.read_text()) for path in sorted(SCHEMA_DIR.glob("*.json"))}


@pytest.mark.parametrize("event_type", sorted(COMMITTED))
def test_published_schema_is_still_compatible(event_type: str) -> None:
    assert event_type in GENERATED, f"{event_type} was published and may not disappear; version a new type"
    assert incompatibilities(COMMITTED[event_type], GENERATED[event_type]) == []


@pytest.mark.parametrize("event_type", sorted(GENERATED))
def test_committed_schema_is_up_to_date(event_type: str) -> None:
    path = SCHEMA_DIR / f"{event_type}.json"
    assert path.exists(), f"run `make schemas` to commit the schema of {event_type}"
    assert path.read_text() == render(GENERATED[event_type]), "run `make schemas` and commit the result"


def test_every_event_type_is_versioned() -> None:
    assert all(name.rsplit(".", 1)[-1].startswith("v") for name in EVENT_TYPES)


def _volunteer_schema() -> dict[str, Any]:
    return json.loads(json.dumps(GENERATED["nl.vrijwilligerscentrale.volunteer.registered.v1"]))


def test_checker_accepts_an_added_optional_field() -> None:
    old, new = _volunteer_schema(), _volunteer_schema()
    new["properties"]["shoe_size"] = {"type": "integer"}
    assert incompatibilities(old, new) == []


def test_checker_refuses_a_removed_field() -> None:
    old, new = _volunteer_schema(), _volunteer_schema()
    del new["properties"]["skills"]
    assert incompatibilities(old, new) == ["payload.skills was removed"]


def test_checker_refuses_a_new_required_field() -> None:
    old, new = _volunteer_schema(), _volunteer_schema()
    new["properties"]["district"] = {"type": "string"}
    new["required"].append("district")
    assert incompatibilities(old, new) == ["payload.district became required"]


def test_checker_refuses_a_changed_type_but_not_a_changed_description() -> None:
    old, new = _volunteer_schema(), _volunteer_schema()
    new["properties"]["skills"]["description"] = "reworded"
    assert incompatibilities(old, new) == []
    new["properties"]["max_distance_km"] = {"type": "string"}
    assert incompatibilities(old, new) == ["payload.max_distance_km changed type or constraints"]


def test_schema_files_are_named_after_their_type() -> None:
    for event_type, schema in COMMITTED.items():
        assert schema["$id"] == event_type
        assert Path(SCHEMA_DIR / f"{event_type}.json").exists()
