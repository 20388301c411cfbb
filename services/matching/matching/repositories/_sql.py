"""Small helpers the PostgreSQL repositories share: column lists into SQL, jsonb slots, PC4 coordinates."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from contracts.events import WeeklySlot
from matching.domain.model import Coordinates

__all__ = ["assignments", "coordinates", "dump_slots", "load_slots", "placeholders"]


def placeholders(columns: Sequence[str], start: int = 1) -> str:
    """``$1, $2, ...`` for ``columns``."""
    return ", ".join(f"${n}" for n in range(start, start + len(columns)))


def assignments(columns: Sequence[str]) -> str:
    """``col = excluded.col, ...``: an upsert takes every listed column from the new row."""
    return ", ".join(f"{column} = excluded.{column}" for column in columns)


def dump_slots(slots: Sequence[WeeklySlot]) -> str:
    """Weekly slots as the jsonb the tables hold."""
    return json.dumps([slot.model_dump(mode="json") for slot in slots])


def load_slots(raw: str | list[Any]) -> list[WeeklySlot]:
    """Weekly slots back from jsonb."""
    items = json.loads(raw) if isinstance(raw, str) else raw
    return [WeeklySlot.model_validate(item) for item in items]


def coordinates(row: Any) -> Coordinates | None:
    """The PC4 centroid joined onto a row (``lat``, ``lon``), when one is loaded for its area."""
    return (row["lat"], row["lon"]) if row["lat"] is not None else None
