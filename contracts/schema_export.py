"""Export every event's JSON Schema to ``contracts/schemas/`` (``python -m contracts.schema_export``)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from contracts.events import EVENT_TYPES

__all__ = ["SCHEMA_DIR", "event_schemas", "render", "write_schemas"]

SCHEMA_DIR = Path(__file__).parent / "schemas"


def event_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of each event type's payload, keyed by CloudEvents type."""
    schemas: dict[str, dict[str, Any]] = {}
    for event_type, model in sorted(EVENT_TYPES.items()):
        schema = model.model_json_schema(mode="serialization")
        schema["$id"] = event_type
        schema["x-topic"] = model.topic
        schema["x-key"] = model.subject_field
        schemas[event_type] = schema
    return schemas


def render(schema: dict[str, Any]) -> str:
    """Stable text form of a schema, as committed."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_schemas(directory: Path = SCHEMA_DIR) -> list[Path]:
    """Write one ``<type>.json`` per event type; returns the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for event_type, schema in event_schemas().items():
        path = directory / f"{event_type}.json"
        path.write_text(render(schema))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_schemas():
        sys.stdout.write(f"wrote {path}\n")
