"""Proposals and the matches they become: one row per proposal, from proposed to made to ended."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from common.db import Connection
from matching.domain.proposals import LIVE, PENDING, Ender, EndReason, Proposal, ProposalStatus, ProposalVia
from matching.repositories._sql import placeholders

__all__ = ["PostgresProposalRepository", "ProposalRepository"]

_COLUMNS = (
    "match_id",
    "task_id",
    "volunteer_id",
    "organisation_id",
    "centrale_id",
    "volunteer_centrale_id",
    "score",
    "reasons",
    "via",
    "needs_consulent",
    "status",
    "proposed_at",
    "approved_at",
    "accepted_at",
    "agreed_at",
    "decided_at",
    "ended_at",
    "end_reason",
    "ended_by",
)
# What a move through the lifecycle (or an erasure) changes; the rest is fixed when proposed.
_CHANGING = (
    "status",
    "reasons",
    "approved_at",
    "accepted_at",
    "agreed_at",
    "decided_at",
    "ended_at",
    "end_reason",
    "ended_by",
)
_ENUMS = ("reasons", "via", "status", "end_reason", "ended_by")
_BEST_FIRST = " ORDER BY score DESC, proposed_at, match_id"


class ProposalRepository(Protocol):
    """Proposals and matches."""

    async def add(self, proposal: Proposal) -> None:
        """Store a new proposal."""
        ...

    async def save(self, proposal: Proposal) -> None:
        """Store where a proposal moved to (status, its moments, its reasons)."""
        ...

    async def get(self, match_id: UUID) -> Proposal | None:
        """The proposal, or None."""
        ...

    async def lock(self, match_id: UUID) -> Proposal | None:
        """The proposal, locked until the transaction ends (decisions on it take turns), or None."""
        ...

    async def of_task(self, task_id: UUID, statuses: Collection[ProposalStatus] | None = None) -> list[Proposal]:
        """The task's proposals (in these statuses, when given), best first."""
        ...

    async def of_volunteer(
        self, volunteer_id: UUID, statuses: Collection[ProposalStatus] | None = None
    ) -> list[Proposal]:
        """The volunteer's proposals (in these statuses, when given), best first."""
        ...

    async def of_centrale_volunteers(
        self,
        volunteer_centrale_id: str,
        statuses: Collection[ProposalStatus],
        *,
        needs_consulent: bool | None = None,
        proposed_before: datetime | None = None,
        limit: int = 100,
    ) -> list[Proposal]:
        """Proposals of the centrale's volunteers in these statuses, oldest first (filtered when asked)."""
        ...

    async def volunteers_proposed_for(self, task_id: UUID) -> set[UUID]:
        """Everyone ever proposed for the task, whatever became of it (nobody is proposed twice)."""
        ...

    async def has_live(self, task_id: UUID, volunteer_id: UUID) -> bool:
        """Whether the volunteer has a live proposal or match for the task."""
        ...

    async def count(self, task_id: UUID, statuses: Collection[ProposalStatus]) -> int:
        """How many of the task's proposals are in these statuses."""
        ...

    async def unanswered_before(self, moment: datetime) -> list[Proposal]:
        """Pending proposals made before ``moment``, locked, oldest first."""
        ...

    async def forget_reasons(self, volunteer_id: UUID) -> None:
        """Drop the reasons and the consulent flag of every proposal of the volunteer (they describe an erased
        person)."""
        ...


def _values(proposal: Proposal, columns: tuple[str, ...]) -> list[Any]:
    """The proposal's values for ``columns``, as the table holds them."""
    encoded: dict[str, Any] = {
        "reasons": json.dumps(list(proposal.reasons)),
        "via": proposal.via.value,
        "status": proposal.status.value,
        "end_reason": proposal.end_reason.value if proposal.end_reason else None,
        "ended_by": proposal.ended_by.value if proposal.ended_by else None,
    }
    return [encoded[column] if column in encoded else getattr(proposal, column) for column in columns]


def _proposal(row: Any) -> Proposal:
    """A row as the domain sees it."""
    return Proposal(
        **{column: row[column] for column in _COLUMNS if column not in _ENUMS},
        reasons=tuple(json.loads(row["reasons"])),
        via=ProposalVia(row["via"]),
        status=ProposalStatus(row["status"]),
        end_reason=EndReason(row["end_reason"]) if row["end_reason"] else None,
        ended_by=Ender(row["ended_by"]) if row["ended_by"] else None,
    )


def _status_values(statuses: Collection[ProposalStatus] | None) -> list[str] | None:
    return None if statuses is None else [status.value for status in statuses]


class PostgresProposalRepository:
    """Proposals in the ``proposals`` table."""

    # Built from the column names above, never from input.
    _SELECT = f"SELECT {', '.join(_COLUMNS)} FROM proposals"  # noqa: S608
    _INSERT = f"INSERT INTO proposals ({', '.join(_COLUMNS)}) VALUES ({placeholders(_COLUMNS)})"  # noqa: S608
    _UPDATE = (
        f"UPDATE proposals SET {', '.join(f'{c} = ${n}' for n, c in enumerate(_CHANGING, start=2))}"  # noqa: S608
        " WHERE match_id = $1"
    )

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, proposal: Proposal) -> None:
        """Store a new proposal."""
        await self._conn.execute(self._INSERT, *_values(proposal, _COLUMNS))

    async def save(self, proposal: Proposal) -> None:
        """Store where a proposal moved to (status, its moments, its reasons)."""
        await self._conn.execute(self._UPDATE, proposal.match_id, *_values(proposal, _CHANGING))

    async def get(self, match_id: UUID) -> Proposal | None:
        """The proposal, or None."""
        row = await self._conn.fetchrow(f"{self._SELECT} WHERE match_id = $1", match_id)
        return _proposal(row) if row is not None else None

    async def lock(self, match_id: UUID) -> Proposal | None:
        """The proposal, locked until the transaction ends (decisions on it take turns), or None."""
        row = await self._conn.fetchrow(f"{self._SELECT} WHERE match_id = $1 FOR UPDATE", match_id)
        return _proposal(row) if row is not None else None

    async def of_task(self, task_id: UUID, statuses: Collection[ProposalStatus] | None = None) -> list[Proposal]:
        """The task's proposals (in these statuses, when given), best first."""
        rows = await self._conn.fetch(
            f"{self._SELECT} WHERE task_id = $1 AND ($2::text[] IS NULL OR status = ANY($2)){_BEST_FIRST}",
            task_id,
            _status_values(statuses),
        )
        return [_proposal(row) for row in rows]

    async def of_volunteer(
        self, volunteer_id: UUID, statuses: Collection[ProposalStatus] | None = None
    ) -> list[Proposal]:
        """The volunteer's proposals (in these statuses, when given), best first."""
        rows = await self._conn.fetch(
            f"{self._SELECT} WHERE volunteer_id = $1 AND ($2::text[] IS NULL OR status = ANY($2)){_BEST_FIRST}",
            volunteer_id,
            _status_values(statuses),
        )
        return [_proposal(row) for row in rows]

    async def of_centrale_volunteers(
        self,
        volunteer_centrale_id: str,
        statuses: Collection[ProposalStatus],
        *,
        needs_consulent: bool | None = None,
        proposed_before: datetime | None = None,
        limit: int = 100,
    ) -> list[Proposal]:
        """Proposals of the centrale's volunteers in these statuses, oldest first (filtered when asked)."""
        rows = await self._conn.fetch(
            f"{self._SELECT} WHERE volunteer_centrale_id = $1 AND status = ANY($2)"
            " AND ($3::boolean IS NULL OR needs_consulent = $3) AND ($4::timestamptz IS NULL OR proposed_at < $4)"
            " ORDER BY proposed_at, match_id LIMIT $5",
            volunteer_centrale_id,
            _status_values(statuses),
            needs_consulent,
            proposed_before,
            limit,
        )
        return [_proposal(row) for row in rows]

    async def volunteers_proposed_for(self, task_id: UUID) -> set[UUID]:
        """Everyone ever proposed for the task, whatever became of it (nobody is proposed twice)."""
        rows = await self._conn.fetch("SELECT volunteer_id FROM proposals WHERE task_id = $1", task_id)
        return {row["volunteer_id"] for row in rows}

    async def has_live(self, task_id: UUID, volunteer_id: UUID) -> bool:
        """Whether the volunteer has a live proposal or match for the task."""
        found = await self._conn.fetchval(
            "SELECT 1 FROM proposals WHERE task_id = $1 AND volunteer_id = $2 AND status = ANY($3)",
            task_id,
            volunteer_id,
            _status_values(LIVE),
        )
        return found is not None

    async def count(self, task_id: UUID, statuses: Collection[ProposalStatus]) -> int:
        """How many of the task's proposals are in these statuses."""
        counted: int = await self._conn.fetchval(
            "SELECT count(*) FROM proposals WHERE task_id = $1 AND status = ANY($2)", task_id, _status_values(statuses)
        )
        return counted

    async def unanswered_before(self, moment: datetime) -> list[Proposal]:
        """Pending proposals made before ``moment``, locked, oldest first."""
        rows = await self._conn.fetch(
            f"{self._SELECT} WHERE status = ANY($1) AND proposed_at < $2 ORDER BY proposed_at, match_id FOR UPDATE",
            _status_values(PENDING),
            moment,
        )
        return [_proposal(row) for row in rows]

    async def forget_reasons(self, volunteer_id: UUID) -> None:
        """Drop the reasons and the consulent flag of every proposal of the volunteer (they describe an erased
        person: skills, languages, availability, distance, a support need)."""
        await self._conn.execute(
            "UPDATE proposals SET reasons = '[]', needs_consulent = false WHERE volunteer_id = $1", volunteer_id
        )
