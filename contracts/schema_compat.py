"""Compatibility rules for published event schemas: within a version only optional fields may be added."""

from __future__ import annotations

from typing import Any

__all__ = ["incompatibilities"]

# Annotations that document a field without changing what validates.
_DOCUMENTATION_KEYS = {"description", "examples", "title", "default"}


def _shape(schema: Any) -> Any:
    """A schema without its documentation keys, for comparing what a field accepts."""
    if isinstance(schema, dict):
        return {key: _shape(value) for key, value in schema.items() if key not in _DOCUMENTATION_KEYS}
    if isinstance(schema, list):
        return [_shape(item) for item in schema]
    return schema


def _object_changes(where: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    problems = []
    old_props, new_props = old.get("properties", {}), new.get("properties", {})
    old_required, new_required = set(old.get("required", [])), set(new.get("required", []))
    for name, old_field in old_props.items():
        if name not in new_props:
            problems.append(f"{where}.{name} was removed")
        elif _shape(old_field) != _shape(new_props[name]):
            problems.append(f"{where}.{name} changed type or constraints")
    for name in sorted(new_required - old_required):
        problems.append(f"{where}.{name} became required")
    return problems


def incompatibilities(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Reasons why events valid under ``new`` may break readers of ``old`` or the reverse; [] if none."""
    problems = _object_changes("payload", old, new)
    old_defs, new_defs = old.get("$defs", {}), new.get("$defs", {})
    for name, old_def in old_defs.items():
        if name not in new_defs:
            problems.append(f"definition {name} was removed")
        else:
            problems.extend(_object_changes(name, old_def, new_defs[name]))
    for key in ("x-topic", "x-key"):
        if old.get(key) != new.get(key):
            problems.append(f"{key} changed from {old.get(key)!r} to {new.get(key)!r}")
    return problems
