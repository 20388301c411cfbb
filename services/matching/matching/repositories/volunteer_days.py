"""Business partners' team days as matching keeps them, and what they were matched to."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from common.db import Connection
from matching.domain.model import VolunteerDay, VolunteerDayStatus
from matching.repositories._sql import placeholders

__all__ = ["PostgresVolunteerDayRepository", "VolunteerDayRepository"]

_COLUMNS = ("day_id", "partner_id", "team_size", "on_date", "skills", "themes", "postcode_area", "centrale_id")
_ALL = (*_COLUMNS, "status", "task_id", "matched_at")


class VolunteerDayRepository(Protocol):
    """Team days."""

    async def add(self, day: VolunteerDay) -> None:
        """Keep a posted day (a day already kept stays as it is)."""
        ...

    async def get(self, day_id: UUID) -> VolunteerDay | None:
        """One day, or None."""
        ...

    async def mark_matched(self, day_id: UUID, task_id: UUID, at: datetime) -> None:
        """The day goes to ``task_id``."""
        ...


def _day(row: Any) -> VolunteerDay:
    return VolunteerDay(
        **{column: row[column] for column in _ALL if column not in ("status", "skills", "themes")},
        skills=tuple(row["skills"]),
        themes=tuple(row["themes"]),
        status=VolunteerDayStatus(row["status"]),
    )


class PostgresVolunteerDayRepository:
    """Team days in the ``volunteer_days`` table."""

    # Built from the column names above, never from input.
    _INSERT = (
        f"INSERT INTO volunteer_days ({', '.join(_COLUMNS)}) VALUES ({placeholders(_COLUMNS)})"  # noqa: S608
        " ON CONFLICT (day_id) DO NOTHING"
    )
    _SELECT = f"SELECT {', '.join(_ALL)} FROM volunteer_days"  # noqa: S608

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, day: VolunteerDay) -> None:
        """Keep a posted day (a day already kept stays as it is)."""
        await self._conn.execute(self._INSERT, *(getattr(day, column) for column in _COLUMNS))

    async def get(self, day_id: UUID) -> VolunteerDay | None:
        """One day, or None."""
        row = await self._conn.fetchrow(f"{self._SELECT} WHERE day_id = $1", day_id)
        return _day(row) if row is not None else None

    async def mark_matched(self, day_id: UUID, task_id: UUID, at: datetime) -> None:
        """The day goes to ``task_id``."""
        await self._conn.execute(
            "UPDATE volunteer_days SET status = $4, task_id = $2, matched_at = $3 WHERE day_id = $1",
            day_id,
            task_id,
            at,
            VolunteerDayStatus.MATCHED.value,
        )
