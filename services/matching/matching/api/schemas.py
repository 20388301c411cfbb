"""What matching's API takes and gives."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from matching.domain.mediation import AgreementHow, GateOverride, VolunteerAgreement
from matching.domain.model import VolunteerDay
from matching.domain.proposals import Proposal, ProposalStatus
from matching.domain.scoring import HARD_GATES, SOFT_GATES, Gate

__all__ = [
    "AgreementIn",
    "AssignTeamDayIn",
    "EndIn",
    "InterestIn",
    "MediationOut",
    "PostcodeAreaIn",
    "ProposalOut",
    "ResponseIn",
    "StatusOut",
    "TeamDayOut",
    "WorkQueueOut",
]

OverrideReason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=5, max_length=1000)]


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
    status: str = Field(
        description="proposed, approved (by the consulent), accepted (the organisation said yes), agreed (the "
        "volunteer said yes), made (both did), declined, expired or ended."
    )
    proposed_at: datetime
    approved_at: datetime | None
    accepted_at: datetime | None
    agreed_at: datetime | None
    decided_at: datetime | None
    ended_at: datetime | None
    end_reason: str | None
    ended_by: str | None

    @classmethod
    def of(cls, proposal: Proposal) -> ProposalOut:
        """The proposal as the API shows it."""
        encoded = ("reasons", "via", "status", "end_reason", "ended_by")
        return cls(
            **{name: getattr(proposal, name) for name in cls.model_fields if name not in encoded},
            reasons=list(proposal.reasons),
            via=proposal.via.value,
            status=proposal.status.value,
            end_reason=proposal.end_reason.value if proposal.end_reason else None,
            ended_by=proposal.ended_by.value if proposal.ended_by else None,
        )


class WorkQueueOut(BaseModel):
    """Matching's part of a consulent's work queue: proposals to approve, and those long unanswered."""

    to_approve: list[ProposalOut]
    unanswered: list[ProposalOut]


class StatusOut(BaseModel):
    """Where a proposal is after a yes: ``accepted`` or ``agreed`` while the other side's yes is awaited, ``made``."""

    match_id: UUID
    status: str

    @classmethod
    def of(cls, match_id: UUID, status: ProposalStatus) -> StatusOut:
        """The answer to a yes."""
        return cls(match_id=match_id, status=status.value)


class AgreementIn(BaseModel):
    """How the volunteer gave the consulent their agreement (who recorded it and when are taken from the request)."""

    model_config = ConfigDict(extra="forbid")

    how: AgreementHow = Field(description="in_person, phone, email, letter or other.")


class ResponseIn(BaseModel):
    """A consulent responds to a task for a volunteer (``on_behalf``) or puts them forward (``put_forward``)."""

    model_config = ConfigDict(extra="forbid")

    task_id: UUID
    via: Literal["on_behalf", "put_forward"]
    agreement: AgreementIn = Field(description="The volunteer's agreement to this response: how they gave it.")
    overrides: dict[str, OverrideReason] = Field(
        default_factory=dict,
        description="Soft gates set aside, each with the consulent's reason (kept in matching only): support, "
        "availability, distance, commitments. Consent, regional consent and the VOG can never be overridden.",
        examples=[{"distance": "Mevrouw wordt door haar zoon gebracht; afgesproken met de organisatie."}],
    )

    @field_validator("overrides")
    @classmethod
    def _soft_gates_only(cls, overrides: dict[str, str]) -> dict[str, str]:
        if any(gate in {g.value for g in HARD_GATES} for gate in overrides):
            raise ValueError("toestemming en VOG kunnen nooit worden overschreven")
        unknown = set(overrides) - {g.value for g in SOFT_GATES}
        if unknown:
            raise ValueError("alleen support, availability, distance en commitments kunnen worden overschreven")
        return overrides

    def gate_overrides(self) -> dict[Gate, str]:
        """The overrides keyed by gate."""
        return {Gate(gate): reason for gate, reason in self.overrides.items()}


class EndIn(BaseModel):
    """Why a match ends."""

    model_config = ConfigDict(extra="forbid")

    reason: Literal["moved", "no_time", "not_a_fit", "task_ended", "other"] = Field(
        description="moved (verhuisd), no_time (geen tijd meer), not_a_fit (past niet), task_ended (taak "
        "afgelopen), other (anders)."
    )


class _OverrideOut(BaseModel):
    gate: str
    reason: str
    overridden_by: str
    overridden_at: datetime


class _AgreementOut(BaseModel):
    subject: str
    how: str
    recorded_by: str
    recorded_at: datetime


class MediationOut(BaseModel):
    """What consulenten recorded for a proposal: soft gates set aside (who, why) and the volunteer's agreements."""

    match_id: UUID
    overrides: list[_OverrideOut]
    agreements: list[_AgreementOut]

    @classmethod
    def of(cls, match_id: UUID, overrides: list[GateOverride], agreements: list[VolunteerAgreement]) -> MediationOut:
        """The records as the API shows them."""
        return cls(
            match_id=match_id,
            overrides=[
                _OverrideOut(
                    gate=o.gate.value, reason=o.reason, overridden_by=o.overridden_by, overridden_at=o.overridden_at
                )
                for o in overrides
            ],
            agreements=[
                _AgreementOut(
                    subject=a.subject.value, how=a.how.value, recorded_by=a.recorded_by, recorded_at=a.recorded_at
                )
                for a in agreements
            ],
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
