"""Follow-up of matches: each centrale's check-in moments, and the check-ins asked and answered."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from uuid import UUID

from common.db import Connection
from registry.repositories._table import Table

__all__ = [
    "CheckIn",
    "FollowUpRepository",
    "FollowUpSettings",
    "PostgresFollowUpRepository",
]


@dataclass(frozen=True)
class FollowUpSettings:
    """A row of ``follow_up_settings``: when a centrale's check-ins are asked, and when silence is a warning."""

    centrale_id: str
    check_ins: list[str] = field(default_factory=lambda: ["P2W", "P3M", "P6M"])
    """ISO 8601 periods after the match was made: ``P<n>D``, ``P<n>W`` or ``P<n>M``."""
    unanswered_after_days: int = 14
    updated_at: datetime | None = None


@dataclass(frozen=True)
class CheckIn:
    """A row of ``check_ins``: one side of a match asked how it goes at one moment, and what they answered."""

    id: UUID
    match_id: UUID
    volunteer_id: UUID
    organisation_id: UUID
    centrale_id: str
    """The task's centrale."""
    volunteer_centrale_id: str
    step: str
    """The moment, as the centrale's setting names it (``P2W``, ``P3M``, ...)."""
    side: str
    """``volunteer`` or ``organisation``."""
    status: str
    """``asked``, ``answered``, or ``skipped`` (a later moment was due already: only the latest is asked)."""
    due_at: datetime
    asked_at: datetime | None = None
    answer: str | None = None
    """``good``, ``doubts`` or ``stopping``."""
    note: str | None = None
    """What the person wrote (free text, here only; blanked when the volunteer is erased)."""
    answered_at: datetime | None = None
    answered_by: str | None = None
    handled_at: datetime | None = None
    """When a consulent took it off the early-warning list."""
    handled_by: str | None = None


class FollowUpRepository(Protocol):
    """Follow-up settings and check-ins."""

    async def settings(self, centrale_id: str) -> FollowUpSettings | None:
        """The centrale's own settings, or None while the defaults hold."""
        ...

    async def put_settings(self, settings: FollowUpSettings) -> None:
        """Store the centrale's settings (replacing what there was)."""
        ...

    async def steps_asked(self, match_ids: Collection[UUID]) -> dict[UUID, set[str]]:
        """Per match, the moments a check-in row exists for (asked or skipped)."""
        ...

    async def add(self, check_in: CheckIn) -> bool:
        """Store a new check-in; False when the match has one for that moment and side already."""
        ...

    async def get(self, check_in_id: UUID, *, lock: bool = False) -> CheckIn | None:
        """The check-in, or None; ``lock``: until the transaction ends."""
        ...

    async def save(self, check_in: CheckIn) -> None:
        """Store an answer or its handling."""
        ...

    async def open_for(self, side: str, party_id: UUID) -> list[CheckIn]:
        """Check-ins asked of the volunteer (``side`` volunteer) or the organisation and not answered, oldest first."""
        ...

    async def of_volunteer(self, volunteer_id: UUID) -> list[CheckIn]:
        """Every check-in of the volunteer's matches, either side, by moment."""
        ...

    async def needing_attention(self, centrale_id: str, unanswered_since: datetime) -> list[CheckIn]:
        """The centrale's early warnings, not handled yet: answered with doubts or stopping, or asked before
        ``unanswered_since`` and never answered; for the volunteer's or the task's centrale, oldest first."""
        ...


CHECK_INS = Table("check_ins", CheckIn)
SETTINGS = Table("follow_up_settings", FollowUpSettings, key="centrale_id")
_ANSWERED = ["status", "answer", "note", "answered_at", "answered_by", "handled_at", "handled_by"]


class PostgresFollowUpRepository:
    """Follow-up in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def settings(self, centrale_id: str) -> FollowUpSettings | None:
        """The centrale's own settings, or None."""
        row = await self._conn.fetchrow(SETTINGS.select("centrale_id = $1"), centrale_id)
        return SETTINGS.load(row) if row is not None else None

    async def put_settings(self, settings: FollowUpSettings) -> None:
        """Store the centrale's settings."""
        await self._conn.execute(
            SETTINGS.insert(
                then="ON CONFLICT (centrale_id) DO UPDATE SET check_ins = EXCLUDED.check_ins,"
                " unanswered_after_days = EXCLUDED.unanswered_after_days, updated_at = EXCLUDED.updated_at"
            ),
            *SETTINGS.values(settings),
        )

    async def steps_asked(self, match_ids: Collection[UUID]) -> dict[UUID, set[str]]:
        """Per match, the moments a check-in exists for."""
        rows = await self._conn.fetch(
            "SELECT DISTINCT match_id, step FROM check_ins WHERE match_id = ANY($1::uuid[])", list(match_ids)
        )
        steps: dict[UUID, set[str]] = {}
        for row in rows:
            steps.setdefault(row["match_id"], set()).add(row["step"])
        return steps

    async def add(self, check_in: CheckIn) -> bool:
        """Store a new check-in; False when that moment and side exist already."""
        added = await self._conn.fetchval(
            CHECK_INS.insert(then="ON CONFLICT (match_id, step, side) DO NOTHING RETURNING true"),
            *CHECK_INS.values(check_in),
        )
        return bool(added)

    async def get(self, check_in_id: UUID, *, lock: bool = False) -> CheckIn | None:
        """The check-in, or None."""
        row = await self._conn.fetchrow(CHECK_INS.select("id = $1", then="FOR UPDATE" if lock else ""), check_in_id)
        return CHECK_INS.load(row) if row is not None else None

    async def save(self, check_in: CheckIn) -> None:
        """Store an answer or its handling."""
        await self._conn.execute(CHECK_INS.update(_ANSWERED), *CHECK_INS.changes(check_in, _ANSWERED))

    async def open_for(self, side: str, party_id: UUID) -> list[CheckIn]:
        """Check-ins asked of the party and not answered, oldest first."""
        party = "volunteer_id" if side == "volunteer" else "organisation_id"
        rows = await self._conn.fetch(
            CHECK_INS.select(f"side = $1 AND {party} = $2 AND status = 'asked'", then="ORDER BY asked_at, id"),
            side,
            party_id,
        )
        return CHECK_INS.load_all(rows)

    async def of_volunteer(self, volunteer_id: UUID) -> list[CheckIn]:
        """Every check-in of the volunteer's matches, by moment."""
        rows = await self._conn.fetch(
            CHECK_INS.select("volunteer_id = $1", then="ORDER BY due_at, side, id"), volunteer_id
        )
        return CHECK_INS.load_all(rows)

    async def needing_attention(self, centrale_id: str, unanswered_since: datetime) -> list[CheckIn]:
        """The centrale's unhandled early warnings, oldest first."""
        rows = await self._conn.fetch(
            CHECK_INS.select(
                "handled_at IS NULL AND (volunteer_centrale_id = $1 OR centrale_id = $1)"
                " AND (answer IN ('doubts', 'stopping') OR (status = 'asked' AND asked_at < $2))"
                " AND EXISTS (SELECT 1 FROM proposals p WHERE p.match_id = check_ins.match_id AND p.status = 'made')",
                then="ORDER BY coalesce(answered_at, asked_at), id",
            ),
            centrale_id,
            unanswered_since,
        )
        return CHECK_INS.load_all(rows)
