"""What matching's API takes and gives."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from matching.domain.proposals import Proposal

__all__ = ["InterestIn", "PostcodeAreaIn", "ProposalOut"]


class ProposalOut(BaseModel):
    """A proposal or match with the reasons it was made."""

    match_id: UUID
    task_id: UUID
    volunteer_id: UUID
    organisation_id: UUID
    centrale_id: str
    volunteer_centrale_id: str
    score: float
    reasons: list[str]
    via: str
    needs_consulent: bool
    status: str
    proposed_at: datetime
    approved_at: datetime | None
    decided_at: datetime | None

    @classmethod
    def of(cls, proposal: Proposal) -> ProposalOut:
        """The proposal as the API shows it."""
        return cls(
            **{name: getattr(proposal, name) for name in cls.model_fields if name not in ("reasons", "via", "status")},
            reasons=list(proposal.reasons),
            via=proposal.via.value,
            status=proposal.status.value,
        )


class InterestIn(BaseModel):
    """A volunteer asks to be proposed for a task."""

    model_config = ConfigDict(extra="forbid")

    task_id: UUID


class PostcodeAreaIn(BaseModel):
    """The centroid of a PC4 area."""

    model_config = ConfigDict(extra="forbid")

    pc4: str = Field(pattern=r"^[1-9][0-9]{3}$")
    lat: float = Field(ge=50.5, le=53.7, description="Latitude (the Netherlands).")
    lon: float = Field(ge=3.2, le=7.3, description="Longitude (the Netherlands).")
