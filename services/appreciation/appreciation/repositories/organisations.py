"""Organisations and their tasks, as far as certificates need them (names, themes, skills)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol
from uuid import UUID

from appreciation.domain import Organisation, Task
from common.db import Connection

__all__ = ["OrganisationRepository", "PostgresOrganisationRepository"]


class OrganisationRepository(Protocol):
    """Organisations (their names) and their tasks (theme and skills)."""

    async def save(self, organisation: Organisation) -> None:
        """Store the organisation, or its new name and centrale."""
        ...

    async def get(self, organisation_id: UUID) -> Organisation | None:
        """One organisation."""
        ...

    async def of_ids(self, organisation_ids: Collection[UUID]) -> dict[UUID, Organisation]:
        """The known ones of those organisations, by id."""
        ...

    async def save_task(self, task: Task) -> None:
        """Store the task, or its new theme and skills."""
        ...

    async def tasks(self, task_ids: Collection[UUID]) -> dict[UUID, Task]:
        """The known ones of those tasks, by id."""
        ...


class PostgresOrganisationRepository:
    """``OrganisationRepository`` on ``organisations`` and ``tasks``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def save(self, organisation: Organisation) -> None:
        """Store the organisation, or its new name and centrale."""
        await self._conn.execute(
            "INSERT INTO organisations (id, centrale_id, name) VALUES ($1, $2, $3)"
            " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, centrale_id = EXCLUDED.centrale_id",
            organisation.id,
            organisation.centrale_id,
            organisation.name,
        )

    async def get(self, organisation_id: UUID) -> Organisation | None:
        """One organisation."""
        return (await self.of_ids([organisation_id])).get(organisation_id)

    async def of_ids(self, organisation_ids: Collection[UUID]) -> dict[UUID, Organisation]:
        """The known ones of those organisations."""
        rows = await self._conn.fetch(
            "SELECT id, centrale_id, name FROM organisations WHERE id = ANY($1::uuid[])", list(organisation_ids)
        )
        return {row["id"]: Organisation(*row) for row in rows}

    async def save_task(self, task: Task) -> None:
        """Store the task, or its new theme and skills (its organisation and centrale stay)."""
        await self._conn.execute(
            "INSERT INTO tasks (id, organisation_id, centrale_id, theme, skills) VALUES ($1, $2, $3, $4, $5)"
            " ON CONFLICT (id) DO UPDATE SET theme = EXCLUDED.theme, skills = EXCLUDED.skills",
            task.id,
            task.organisation_id,
            task.centrale_id,
            task.theme,
            list(task.skills),
        )

    async def tasks(self, task_ids: Collection[UUID]) -> dict[UUID, Task]:
        """The known ones of those tasks."""
        rows = await self._conn.fetch(
            "SELECT id, organisation_id, centrale_id, theme, skills FROM tasks WHERE id = ANY($1::uuid[])",
            list(task_ids),
        )
        return {
            row["id"]: Task(row["id"], row["organisation_id"], row["centrale_id"], row["theme"], tuple(row["skills"]))
            for row in rows
        }
