"""What matching's API takes and gives."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from matching.domain.model import VolunteerDay
from matching.domain.proposals import Proposal

__all__ = ["AssignTeamDayIn", "InterestIn", "PostcodeAreaIn", "ProposalOut", "TeamDayOut"]


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


class TeamDayOut(BaseModel):
    """A business partner's team day as staff broker it: no employee is named, only the team's size."""

    day_id: UUID
    partner_id: UUID
    partner_name: str | None = Field(description="The company (None until matching learned its name).")
    team_size: int
    on_date: date
    skills: list[str]
    themes: list[str] = Field(description="Themes the partner prefers (none: any).")
    postcode_area: str | None = Field(description="The area (PC4) the partner prefers.")
    centrale_id: str | None = Field(description="The centrale the partner named (None: any of the region).")
    status: str
    task_id: UUID | None
    matched_via: str | None = Field(description="matching or staff, once matched.")
    posted_at: datetime | None

    @classmethod
    def of(cls, day: VolunteerDay, partner_name: str | None) -> TeamDayOut:
        """The day as the API shows it."""
        return cls(
            day_id=day.day_id,
            partner_id=day.partner_id,
            partner_name=partner_name,
            team_size=day.team_size,
            on_date=day.on_date,
            skills=list(day.skills),
            themes=list(day.themes),
            postcode_area=day.postcode_area,
            centrale_id=day.centrale_id,
            status=day.status.value,
            task_id=day.task_id,
            matched_via=day.matched_via.value if day.matched_via is not None else None,
            posted_at=day.posted_at,
        )


class AssignTeamDayIn(BaseModel):
    """The task staff give a team day to."""

    model_config = ConfigDict(extra="forbid")

    task_id: UUID
