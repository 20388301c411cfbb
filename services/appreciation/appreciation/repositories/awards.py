"""Awards: each inserted once under its deterministic id, kept (anonymously) when the recipient is erased."""

from __future__ import annotations

import operator
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from appreciation.domain import Award, RuleKind
from appreciation.repositories import _sql
from common.db import Connection

__all__ = ["AwardRepository", "PostgresAwardRepository"]


class AwardRepository(Protocol):
    """Every award given; the same award id is only ever stored once."""

    async def add_new(self, awards: Sequence[Award]) -> list[Award]:
        """Store the awards whose id is new; those, in the order given."""
        ...

    async def given(self, recipient_ids: Collection[UUID]) -> set[tuple[UUID, str, str, str]]:
        """(recipient, centrale, rule, occurrence) of every award those recipients have."""
        ...

    async def of_volunteer(self, volunteer_id: UUID) -> list[Award]:
        """A volunteer's awards, oldest first (by title within one moment)."""
        ...

    async def of_centrale(self, centrale_id: str, start: datetime, end: datetime) -> list[Award]:
        """The centrale's awards given from ``start`` up to (not including) ``end``, oldest first."""
        ...

    async def anonymise(self, recipient_id: UUID) -> None:
        """Keep the recipient's awards as anonymous counts (the recipient id goes)."""
        ...


_COLUMNS = (
    "award_id",
    "centrale_id",
    "rule_id",
    "rule_kind",
    "title",
    "recipient_id",
    "recipient_kind",
    "occurrence",
    "trigger_event_id",
    "trigger_event_type",
    "awarded_at",
    "historic",
)
_SELECT = _sql.select("awards", _COLUMNS)
# New awards go as one array of the table's own row type, each a tuple in _COLUMNS' order (the table's):
# asyncpg checks every element of an array parameter for being an array itself (Python-level ABC checks,
# two for a text), which per award is one element instead of twelve. A record short of a column added to
# the table is refused by asyncpg, not stored short.
_INSERT_ROWS = f"INSERT INTO awards ({', '.join(_COLUMNS)}) SELECT * FROM unnest($1::awards[])"  # noqa: S608
_ROW = operator.attrgetter(*_COLUMNS)


def _award(row: Any) -> Award:
    return Award(**{name: row[name] for name in _COLUMNS} | {"rule_kind": RuleKind(row["rule_kind"])})


class PostgresAwardRepository:
    """``AwardRepository`` on ``awards``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add_new(self, awards: Sequence[Award]) -> list[Award]:
        """Store the new awards in one statement (``ON CONFLICT DO NOTHING``)."""
        if not awards:
            return []
        rows = await self._conn.fetch(
            f"{_INSERT_ROWS} ON CONFLICT (award_id) DO NOTHING RETURNING award_id", [_ROW(award) for award in awards]
        )
        if len(rows) == len(awards):
            return list(awards)  # every one new, the common case: no ids hashed to find out which
        inserted = {row["award_id"] for row in rows}
        return [award for award in awards if award.award_id in inserted]

    async def given(self, recipient_ids: Collection[UUID]) -> set[tuple[UUID, str, str, str]]:
        """What those recipients were awarded, as (recipient, centrale, rule, occurrence)."""
        rows = await self._conn.fetch(
            "SELECT recipient_id, centrale_id, rule_id, occurrence FROM awards WHERE recipient_id = ANY($1::uuid[])",
            list(recipient_ids),
        )
        return {(row[0], row[1], row[2], row[3]) for row in rows}

    async def of_volunteer(self, volunteer_id: UUID) -> list[Award]:
        """A volunteer's awards, oldest first."""
        rows = await self._conn.fetch(
            f"{_SELECT} WHERE recipient_id = $1 AND recipient_kind = 'volunteer' ORDER BY awarded_at, title",
            volunteer_id,
        )
        return [_award(row) for row in rows]

    async def of_centrale(self, centrale_id: str, start: datetime, end: datetime) -> list[Award]:
        """The centrale's awards in [start, end)."""
        rows = await self._conn.fetch(
            f"{_SELECT} WHERE centrale_id = $1 AND awarded_at >= $2 AND awarded_at < $3 ORDER BY awarded_at, award_id",
            centrale_id,
            start,
            end,
        )
        return [_award(row) for row in rows]

    async def anonymise(self, recipient_id: UUID) -> None:
        """The recipient id goes; the awards stay."""
        await self._conn.execute("UPDATE awards SET recipient_id = NULL WHERE recipient_id = $1", recipient_id)
