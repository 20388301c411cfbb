"""Business partners' team days as matching keeps them, what they were matched to, and the partners' names."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from common.db import Connection
from matching.domain.model import TeamDayVia, VolunteerDay, VolunteerDayStatus
from matching.repositories._sql import placeholders

__all__ = ["PartnerRepository", "PostgresPartnerRepository", "PostgresVolunteerDayRepository", "VolunteerDayRepository"]

_COLUMNS = (
    "day_id",
    "partner_id",
    "team_size",
    "on_date",
    "skills",
    "themes",
    "postcode_area",
    "centrale_id",
    "posted_at",
)
_ALL = (*_COLUMNS, "status", "task_id", "matched_at", "matched_via")


class VolunteerDayRepository(Protocol):
    """Team days."""

    async def add(self, day: VolunteerDay) -> None:
        """Keep a posted day (a day already kept stays as it is)."""
        ...

    async def get(self, day_id: UUID, *, for_update: bool = False) -> VolunteerDay | None:
        """One day (locked until the transaction ends when ``for_update``), or None."""
        ...

    async def mark_matched(self, day_id: UUID, task_id: UUID, at: datetime, via: TeamDayVia) -> None:
        """The day goes to ``task_id``."""
        ...

    async def open_for_task(
        self, *, theme: str, centrale_id: str, largest_team: int, not_before: date
    ) -> list[VolunteerDay]:
        """Open days a task could take: a team of at most ``largest_team`` on or after ``not_before``, in the
        task's theme (or any, when the day names none) and centrale (or any); locked, posted first first."""
        ...

    async def open_for_centrale(self, centrale_id: str) -> list[VolunteerDay]:
        """Open days staff of the centrale may broker: naming it or no centrale; earliest date first."""
        ...


class PartnerRepository(Protocol):
    """Business partners' names (companies, not people), for staff who broker their days."""

    async def record(self, partner_id: UUID, name: str) -> None:
        """Keep (or rename) a partner."""
        ...

    async def names(self, partner_ids: Collection[UUID]) -> dict[UUID, str]:
        """The names of the partners known among ``partner_ids``."""
        ...


def _day(row: Any) -> VolunteerDay:
    return VolunteerDay(
        **{column: row[column] for column in _ALL if column not in ("status", "skills", "themes", "matched_via")},
        skills=tuple(row["skills"]),
        themes=tuple(row["themes"]),
        status=VolunteerDayStatus(row["status"]),
        matched_via=TeamDayVia(row["matched_via"]) if row["matched_via"] is not None else None,
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

    async def get(self, day_id: UUID, *, for_update: bool = False) -> VolunteerDay | None:
        """One day (locked until the transaction ends when ``for_update``), or None."""
        lock = " FOR UPDATE" if for_update else ""
        row = await self._conn.fetchrow(f"{self._SELECT} WHERE day_id = $1{lock}", day_id)
        return _day(row) if row is not None else None

    async def mark_matched(self, day_id: UUID, task_id: UUID, at: datetime, via: TeamDayVia) -> None:
        """The day goes to ``task_id``."""
        await self._conn.execute(
            "UPDATE volunteer_days SET status = $4, task_id = $2, matched_at = $3, matched_via = $5 WHERE day_id = $1",
            day_id,
            task_id,
            at,
            VolunteerDayStatus.MATCHED.value,
            via.value,
        )

    async def open_for_task(
        self, *, theme: str, centrale_id: str, largest_team: int, not_before: date
    ) -> list[VolunteerDay]:
        """Open days a task could take, locked, posted first first (days kept without a posting time before)."""
        rows = await self._conn.fetch(
            f"{self._SELECT} WHERE status = $1 AND team_size <= $2 AND on_date >= $3"
            " AND (cardinality(themes) = 0 OR $4 = ANY(themes)) AND (centrale_id IS NULL OR centrale_id = $5)"
            " ORDER BY posted_at NULLS FIRST, day_id FOR UPDATE",
            VolunteerDayStatus.OPEN.value,
            largest_team,
            not_before,
            theme,
            centrale_id,
        )
        return [_day(row) for row in rows]

    async def open_for_centrale(self, centrale_id: str) -> list[VolunteerDay]:
        """Open days naming the centrale or none; earliest date first."""
        rows = await self._conn.fetch(
            f"{self._SELECT} WHERE status = $1 AND (centrale_id IS NULL OR centrale_id = $2)"
            " ORDER BY on_date, posted_at NULLS FIRST, day_id",
            VolunteerDayStatus.OPEN.value,
            centrale_id,
        )
        return [_day(row) for row in rows]


class PostgresPartnerRepository:
    """Partners' names in the ``partners`` table."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def record(self, partner_id: UUID, name: str) -> None:
        """Keep (or rename) a partner."""
        await self._conn.execute(
            "INSERT INTO partners (partner_id, name) VALUES ($1, $2)"
            " ON CONFLICT (partner_id) DO UPDATE SET name = excluded.name",
            partner_id,
            name,
        )

    async def names(self, partner_ids: Collection[UUID]) -> dict[UUID, str]:
        """The names of the partners known among ``partner_ids``."""
        rows = await self._conn.fetch(
            "SELECT partner_id, name FROM partners WHERE partner_id = ANY($1)", list(partner_ids)
        )
        return {row["partner_id"]: row["name"] for row in rows}
