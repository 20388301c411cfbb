"""What consulenten recorded while mediating: soft gates set aside, and the volunteer's agreements."""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from common.db import Connection
from matching.domain.mediation import AgreementHow, AgreementSubject, GateOverride, VolunteerAgreement
from matching.domain.scoring import Gate

__all__ = ["MediationRepository", "PostgresMediationRepository"]


class MediationRepository(Protocol):
    """Gate overrides and recorded agreements, per proposal."""

    async def add_override(self, override: GateOverride) -> None:
        """Record a soft gate set aside for a proposal."""
        ...

    async def overrides_of(self, match_id: UUID) -> list[GateOverride]:
        """The gates set aside for the proposal, by gate."""
        ...

    async def add_agreement(self, agreement: VolunteerAgreement) -> None:
        """Record the volunteer's agreement (one per subject and proposal; a second is ignored)."""
        ...

    async def agreements_of(self, match_id: UUID) -> list[VolunteerAgreement]:
        """The agreements recorded for the proposal, in the order recorded."""
        ...

    async def forget_reasons(self, volunteer_id: UUID) -> None:
        """Wipe the reasons of every override for the volunteer's proposals (free text about an erased person)."""
        ...


def _override(row: Any) -> GateOverride:
    return GateOverride(
        match_id=row["match_id"],
        gate=Gate(row["gate"]),
        reason=row["reason"],
        overridden_by=row["overridden_by"],
        overridden_at=row["overridden_at"],
    )


def _agreement(row: Any) -> VolunteerAgreement:
    return VolunteerAgreement(
        match_id=row["match_id"],
        subject=AgreementSubject(row["subject"]),
        how=AgreementHow(row["how"]),
        recorded_by=row["recorded_by"],
        recorded_at=row["recorded_at"],
    )


class PostgresMediationRepository:
    """Gate overrides and agreements in ``gate_overrides`` and ``volunteer_agreements``."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add_override(self, override: GateOverride) -> None:
        """Record a soft gate set aside for a proposal."""
        await self._conn.execute(
            "INSERT INTO gate_overrides (match_id, gate, reason, overridden_by, overridden_at)"
            " VALUES ($1, $2, $3, $4, $5)",
            override.match_id,
            override.gate.value,
            override.reason,
            override.overridden_by,
            override.overridden_at,
        )

    async def overrides_of(self, match_id: UUID) -> list[GateOverride]:
        """The gates set aside for the proposal, by gate."""
        rows = await self._conn.fetch("SELECT * FROM gate_overrides WHERE match_id = $1 ORDER BY gate", match_id)
        return [_override(row) for row in rows]

    async def add_agreement(self, agreement: VolunteerAgreement) -> None:
        """Record the volunteer's agreement (a second one for the same subject is ignored)."""
        await self._conn.execute(
            "INSERT INTO volunteer_agreements (match_id, subject, how, recorded_by, recorded_at)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (match_id, subject) DO NOTHING",
            agreement.match_id,
            agreement.subject.value,
            agreement.how.value,
            agreement.recorded_by,
            agreement.recorded_at,
        )

    async def agreements_of(self, match_id: UUID) -> list[VolunteerAgreement]:
        """The agreements recorded for the proposal, in the order recorded."""
        rows = await self._conn.fetch(
            "SELECT * FROM volunteer_agreements WHERE match_id = $1 ORDER BY recorded_at, subject", match_id
        )
        return [_agreement(row) for row in rows]

    async def forget_reasons(self, volunteer_id: UUID) -> None:
        """Wipe the reasons of every override for the volunteer's proposals."""
        await self._conn.execute(
            "UPDATE gate_overrides SET reason = '' WHERE match_id IN"
            " (SELECT match_id FROM proposals WHERE volunteer_id = $1)",
            volunteer_id,
        )
