"""README tables generated from the code: ``python -m common.readme_tables [README.md]`` rewrites them in place."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from pydantic import SecretStr
from pydantic.fields import FieldInfo

from common.processing import register_table
from common.settings import ServiceSettings
from contracts import TOPICS
from contracts.events import EVENT_TYPES

__all__ = ["catalogue_table", "render_readme", "settings_table"]

SERVICES = ("registry", "matching", "appreciation", "reporting", "portal")


def settings_table() -> str:
    """Every environment variable with its default and meaning; per-service ones shown once as a pattern."""
    lines = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for field_name, info in ServiceSettings.model_fields.items():
        alias = info.validation_alias
        name = alias if isinstance(alias, str) else f"<SERVICE>_{field_name.upper()}"
        lines.append(f"| `{name}` | {_default(info)} | {info.description} |")
    for service in SERVICES:
        settings_class = importlib.import_module(f"{service}.config").Settings
        for field_name, info in settings_class.model_fields.items():
            base = ServiceSettings.model_fields.get(field_name)
            if base is not None and base.default == info.default:
                continue
            alias = info.validation_alias
            shown = alias if isinstance(alias, str) else f"{service}_{field_name}".upper()
            scope = f"{service}'s own default" if base is not None else f"{service} only"
            lines.append(f"| `{shown}` | {_default(info)} | {info.description} ({scope}) |")
    return "\n".join(lines)


def _default(info: FieldInfo) -> str:
    """The default as the README shows it: secrets hidden, computed defaults described in the meaning."""
    if isinstance(info.default, SecretStr):
        return "(secret)"
    if info.default_factory is not None or not isinstance(info.default, str | int | float | bool | None):
        return "(see meaning)"
    return f"`{info.default}`"


def catalogue_table() -> str:
    """Every topic with its key, partitions, retention and the event types on it."""
    lines = ["| Topic | Key | Partitions | Retention | Events |", "|---|---|---|---|---|"]
    for topic in TOPICS:
        events = ", ".join(f"`{m.__name__}`" for m in EVENT_TYPES.values() if m.topic == topic.name) or "dead letters"
        retention = "forever" if topic.retention_ms < 0 else f"{topic.retention_ms // 86_400_000} days"
        lines.append(f"| `{topic.name}` | {topic.key} | {topic.partitions} | {retention} | {events} |")
    return "\n".join(lines)


def render_readme(text: str) -> str:
    """``text`` with the blocks between ``<!-- settings:start/end -->``, ``<!-- catalogue:... -->`` and
    ``<!-- register:... -->`` (the register of processing) regenerated."""
    tables = (("settings", settings_table()), ("catalogue", catalogue_table()), ("register", register_table()))
    for marker, table in tables:
        start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
        head, _, rest = text.partition(start)
        _, _, tail = rest.partition(end)
        text = f"{head}{start}\n{table}\n{end}{tail}"
    return text


if __name__ == "__main__":
    if len(sys.argv) > 1:
        path = Path(sys.argv[1])
        path.write_text(render_readme(path.read_text()))
    else:
        sys.stdout.write(settings_table() + "\n\n" + catalogue_table() + "\n\n" + register_table() + "\n")
