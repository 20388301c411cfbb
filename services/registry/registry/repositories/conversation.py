"""The match conversation as the registry keeps it: proposals learned from matching, the volunteer's message with a
response, and how to reach a centrale."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from common.db import Connection
from registry.repositories._table import Table

__all__ = [
    "CentraleContact",
    "CentraleContactRepository",
    "PostgresCentraleContactRepository",
    "PostgresProposalRepository",
    "PostgresResponseMessageRepository",
    "Proposal",
    "ProposalRepository",
    "ResponseMessage",
    "ResponseMessageRepository",
]

PENDING = ("proposed", "approved", "accepted", "agreed")
"""Statuses of a proposal still waiting for a yes."""


@dataclass(frozen=True)
class Proposal:
    """A row of ``proposals``: a proposal and the match it became, as matching's events told the registry."""

    match_id: UUID
    task_id: UUID
    volunteer_id: UUID
    organisation_id: UUID
    centrale_id: str
    """The task's centrale."""
    volunteer_centrale_id: str
    via: str
    needs_consulent: bool
    status: str
    proposed_at: datetime | None = None
    approved_at: datetime | None = None
    accepted_at: datetime | None = None
    """When the organisation said yes."""
    agreed_at: datetime | None = None
    """When the volunteer said yes."""
    made_at: datetime | None = None
    closed_at: datetime | None = None
    """When it was declined or expired."""
    declined_by: str | None = None
    ended_at: datetime | None = None
    end_reason: str | None = None
    ended_by: str | None = None


@dataclass(frozen=True)
class ResponseMessage:
    """A row of ``response_messages``: what the volunteer wrote with their response (free text, here only)."""

    match_id: UUID
    volunteer_id: UUID
    body: str
    written_by: str
    """``volunteer``, or ``consulent`` (written down for the volunteer)."""
    written_at: datetime


@dataclass(frozen=True)
class CentraleContact:
    """A row of ``centrale_contacts``: how organisations and volunteers reach the centrale."""

    centrale_id: str
    name: str
    email: str | None
    phone: str | None
    updated_at: datetime


class ProposalRepository(Protocol):
    """Proposals and matches as matching reported them."""

    async def get(self, match_id: UUID, *, lock: bool = False) -> Proposal | None:
        """The proposal, or None; ``lock``: until the transaction ends (the steps of one match take turns)."""
        ...

    async def put(self, proposal: Proposal) -> None:
        """Store the proposal as it is now (inserted, or replacing what was stored)."""
        ...

    async def of_volunteer(self, volunteer_id: UUID, statuses: Collection[str] | None = None) -> list[Proposal]:
        """The volunteer's proposals (in these statuses, when given), newest first."""
        ...

    async def of_organisation(
        self, organisation_id: UUID, centrale_id: str, statuses: Collection[str] | None = None
    ) -> list[Proposal]:
        """Proposals for the organisation's tasks in the centrale (in these statuses, when given), newest first."""
        ...

    async def made(self, made_before: datetime) -> list[Proposal]:
        """Matches made (and not ended) before the moment, oldest first."""
        ...

    async def pending(self, proposed_before: datetime) -> list[Proposal]:
        """Proposals still waiting for a yes, proposed before the moment, oldest first."""
        ...


class ResponseMessageRepository(Protocol):
    """Volunteers' messages with their responses."""

    async def put(self, message: ResponseMessage) -> bool:
        """Store the message for its match (replacing the same volunteer's earlier one); False when another
        volunteer's message is stored for the match (nothing changes then)."""
        ...

    async def of_matches(self, match_ids: Collection[UUID]) -> dict[UUID, ResponseMessage]:
        """The messages of these matches, by match id."""
        ...

    async def of_volunteer(self, volunteer_id: UUID) -> list[ResponseMessage]:
        """Every message the volunteer wrote (or a consulent for them), oldest first."""
        ...


class CentraleContactRepository(Protocol):
    """How to reach each centrale."""

    async def get(self, centrale_id: str) -> CentraleContact | None:
        """The centrale's contact, or None when it never gave one."""
        ...

    async def put(self, contact: CentraleContact) -> None:
        """Store the centrale's contact (replacing the one there was)."""
        ...


PROPOSALS = Table("proposals", Proposal, key="match_id")
RESPONSE_MESSAGES = Table("response_messages", ResponseMessage, key="match_id")
CENTRALE_CONTACTS = Table("centrale_contacts", CentraleContact, key="centrale_id")
_CHANGING = [column for column in PROPOSALS.columns if column != "match_id"]


class PostgresProposalRepository:
    """Proposals in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def get(self, match_id: UUID, *, lock: bool = False) -> Proposal | None:
        """The proposal, or None."""
        row = await self._conn.fetchrow(PROPOSALS.select("match_id = $1", then="FOR UPDATE" if lock else ""), match_id)
        return PROPOSALS.load(row) if row is not None else None

    async def put(self, proposal: Proposal) -> None:
        """Store the proposal as it is now."""
        assignments = ", ".join(f"{column} = EXCLUDED.{column}" for column in _CHANGING)
        await self._conn.execute(
            PROPOSALS.insert(then=f"ON CONFLICT (match_id) DO UPDATE SET {assignments}"), *PROPOSALS.values(proposal)
        )

    async def of_volunteer(self, volunteer_id: UUID, statuses: Collection[str] | None = None) -> list[Proposal]:
        """The volunteer's proposals, newest first."""
        rows = await self._conn.fetch(
            PROPOSALS.select(
                "volunteer_id = $1 AND ($2::text[] IS NULL OR status = ANY($2))",
                then="ORDER BY proposed_at DESC NULLS LAST, match_id",
            ),
            volunteer_id,
            list(statuses) if statuses is not None else None,
        )
        return PROPOSALS.load_all(rows)

    async def of_organisation(
        self, organisation_id: UUID, centrale_id: str, statuses: Collection[str] | None = None
    ) -> list[Proposal]:
        """Proposals for the organisation's tasks in the centrale, newest first."""
        rows = await self._conn.fetch(
            PROPOSALS.select(
                "organisation_id = $1 AND centrale_id = $2 AND ($3::text[] IS NULL OR status = ANY($3))",
                then="ORDER BY proposed_at DESC NULLS LAST, match_id",
            ),
            organisation_id,
            centrale_id,
            list(statuses) if statuses is not None else None,
        )
        return PROPOSALS.load_all(rows)

    async def made(self, made_before: datetime) -> list[Proposal]:
        """Matches made before the moment and not ended, oldest first."""
        rows = await self._conn.fetch(
            PROPOSALS.select("status = 'made' AND made_at < $1", then="ORDER BY made_at, match_id"), made_before
        )
        return PROPOSALS.load_all(rows)

    async def pending(self, proposed_before: datetime) -> list[Proposal]:
        """Proposals waiting for a yes, proposed before the moment, oldest first."""
        rows = await self._conn.fetch(
            PROPOSALS.select("status = ANY($1) AND proposed_at < $2", then="ORDER BY proposed_at, match_id"),
            list(PENDING),
            proposed_before,
        )
        return PROPOSALS.load_all(rows)


class PostgresResponseMessageRepository:
    """Response messages in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def put(self, message: ResponseMessage) -> bool:
        """Store the message unless another volunteer's is stored for the match."""
        stored = await self._conn.fetchval(
            RESPONSE_MESSAGES.insert(
                then="ON CONFLICT (match_id) DO UPDATE SET body = EXCLUDED.body, written_by = EXCLUDED.written_by,"
                " written_at = EXCLUDED.written_at WHERE response_messages.volunteer_id = EXCLUDED.volunteer_id"
                " RETURNING true"
            ),
            *RESPONSE_MESSAGES.values(message),
        )
        return bool(stored)

    async def of_matches(self, match_ids: Collection[UUID]) -> dict[UUID, ResponseMessage]:
        """The messages of these matches, by match id."""
        rows = await self._conn.fetch(RESPONSE_MESSAGES.select("match_id = ANY($1::uuid[])"), list(match_ids))
        return {message.match_id: message for message in RESPONSE_MESSAGES.load_all(rows)}

    async def of_volunteer(self, volunteer_id: UUID) -> list[ResponseMessage]:
        """Every message of the volunteer, oldest first."""
        rows = await self._conn.fetch(
            RESPONSE_MESSAGES.select("volunteer_id = $1", then="ORDER BY written_at, match_id"), volunteer_id
        )
        return RESPONSE_MESSAGES.load_all(rows)


class PostgresCentraleContactRepository:
    """Centrale contacts in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def get(self, centrale_id: str) -> CentraleContact | None:
        """The centrale's contact, or None."""
        row = await self._conn.fetchrow(CENTRALE_CONTACTS.select("centrale_id = $1"), centrale_id)
        return CENTRALE_CONTACTS.load(row) if row is not None else None

    async def put(self, contact: CentraleContact) -> None:
        """Store the centrale's contact."""
        await self._conn.execute(
            CENTRALE_CONTACTS.insert(
                then="ON CONFLICT (centrale_id) DO UPDATE SET name = EXCLUDED.name, email = EXCLUDED.email,"
                " phone = EXCLUDED.phone, updated_at = EXCLUDED.updated_at"
            ),
            *CENTRALE_CONTACTS.values(contact),
        )
