"""Event JSON Schemas: the generated files and the released baselines (``python -m contracts.schema_export``).

Two sets live under ``contracts/schemas/``:

- ``<type>.json``: generated from the models by ``make schemas``, always current (a test checks it);
- ``released/<type>.json``: what consumers were promised, written only by the release step
  (``make release-schemas``, ``--release``). The compatibility test compares the models with these, so
  regenerating the first set never hides a breaking change, and the release step itself refuses to
  record an incompatible schema: a breaking change has to become a new versioned type.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from contracts.events import EVENT_TYPES
from contracts.schema_compat import incompatibilities

__all__ = [
    "RELEASED_DIR",
    "SCHEMA_DIR",
    "IncompatibleSchemaError",
    "breaking_changes",
    "event_schemas",
    "release_schemas",
    "released_schemas",
    "render",
    "write_schemas",
]

SCHEMA_DIR = Path(__file__).parent / "schemas"
RELEASED_DIR = SCHEMA_DIR / "released"


class IncompatibleSchemaError(ValueError):
    """A schema differs from its released baseline in a way its readers cannot take."""


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


def released_schemas(directory: Path = RELEASED_DIR) -> dict[str, dict[str, Any]]:
    """The released baseline of every event type ever released, keyed by CloudEvents type."""
    return {path.stem: json.loads(path.read_text()) for path in sorted(directory.glob("*.json"))}


def breaking_changes(
    released: Mapping[str, dict[str, Any]], generated: Mapping[str, dict[str, Any]]
) -> dict[str, list[str]]:
    """Event type → why ``generated`` breaks the readers of its ``released`` baseline; only types that break."""
    problems: dict[str, list[str]] = {}
    for event_type, baseline in sorted(released.items()):
        if event_type not in generated:
            problems[event_type] = ["was released and is no longer generated; keep it or retire it in a new version"]
        elif found := incompatibilities(baseline, generated[event_type]):
            problems[event_type] = found
    return problems


def release_schemas(
    directory: Path = RELEASED_DIR, generated: Mapping[str, dict[str, Any]] | None = None
) -> list[Path]:
    """Record the current schemas as released; refuses (writing nothing) when any breaks its baseline."""
    current = dict(generated) if generated is not None else event_schemas()
    problems = breaking_changes(released_schemas(directory), current)
    if problems:
        lines = [f"{event_type}: {reason}" for event_type, reasons in problems.items() for reason in reasons]
        raise IncompatibleSchemaError(
            "not released, these changes break what consumers were promised; make them a new versioned "
            "type (...v2) instead:\n" + "\n".join(lines)
        )
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for event_type, schema in sorted(current.items()):
        path = directory / f"{event_type}.json"
        if not path.exists() or path.read_text() != render(schema):
            path.write_text(render(schema))
            written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    """Write the generated schemas, or with ``--release`` the released baselines; 1 when refused."""
    parser = argparse.ArgumentParser(prog="python -m contracts.schema_export", description=__doc__)
    parser.add_argument("--release", action="store_true", help="record the schemas as released (the baseline)")
    args = parser.parse_args(argv)
    if not args.release:
        for path in write_schemas():
            sys.stdout.write(f"wrote {path}\n")
        return 0
    try:
        written = release_schemas()
    except IncompatibleSchemaError as error:
        sys.stderr.write(f"{error}\n")
        return 1
    sys.stdout.write(f"released {len(written)} changed or new schema(s) into {RELEASED_DIR}\n")
    for path in written:
        sys.stdout.write(f"  {path.name}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
