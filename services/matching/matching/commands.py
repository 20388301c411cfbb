"""What matching is asked to do: one command per use case, built by a handler, a route or a job."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from matching.domain.beursvloer import BeursPosting
from matching.domain.geo import Centroid
from matching.domain.mediation import AgreementHow
from matching.domain.model import TaskFacts, VolunteerDay, VolunteerFacts
from matching.domain.proposals import Decliner, Ender, EndReason, ProposalVia, YesBy
from matching.domain.scoring import Gate

__all__ = [
    "AcceptProposal",
    "AgreeToProposal",
    "ApproveProposal",
    "AssignTeamDay",
    "CloseBeursPosting",
    "CloseTask",
    "DeclineProposal",
    "EndMatch",
    "EraseVolunteer",
    "ExpireStaleProposals",
    "ExpressInterest",
    "GetMediation",
    "ListCentraleProposals",
    "ListOpenTeamDays",
    "ListTaskProposals",
    "ListVolunteerProposals",
    "LoadPostcodeAreas",
    "MatchTeamDay",
    "OfferOverflow",
    "RecordBeursPosting",
    "RecordPartner",
    "RecordPostedTask",
    "RecordTaskUpdate",
    "RecordVolunteer",
    "ReevaluateVolunteer",
    "RespondForVolunteer",
]


# -- the read model (registry events) ---------------------------------------------------------------


@dataclass(frozen=True)
class RecordVolunteer:
    """Store a registered or updated volunteer, then re-evaluate them for open tasks (not when ``replayed``)."""

    volunteer: VolunteerFacts
    replayed: bool = False
    """Re-applied by a replay (produced before it): the volunteer was evaluated when it first came."""


@dataclass(frozen=True)
class EraseVolunteer:
    """Forget a volunteer: their proposals expire, their matches end, the profile goes."""

    volunteer_id: UUID


@dataclass(frozen=True)
class RecordPostedTask:
    """Store a published task and propose its best candidates."""

    task: TaskFacts
    posted_at: datetime


@dataclass(frozen=True)
class RecordTaskUpdate:
    """Keep a task's facts current (its proposals stand)."""

    task: TaskFacts


@dataclass(frozen=True)
class CloseTask:
    """The registry closed a task (``reason``: filled, closed or expired); pending proposals expire."""

    task_id: UUID
    reason: str


@dataclass(frozen=True)
class LoadPostcodeAreas:
    """Load PC4 centroids (ops)."""

    centroids: tuple[Centroid, ...]


# -- proposals ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReevaluateVolunteer:
    """Withdraw what no longer fits the volunteer and propose them for open tasks of their centrale."""

    volunteer_id: UUID
    centrale_id: str


@dataclass(frozen=True)
class ExpressInterest:
    """A volunteer (of ``centrale_id``) asks to be proposed for a task."""

    volunteer_id: UUID
    centrale_id: str
    task_id: UUID


@dataclass(frozen=True)
class RespondForVolunteer:
    """A consulent of ``centrale_id`` responds to a task for one of its volunteers, or puts them forward.

    ``via`` is ``ON_BEHALF`` or ``PUT_FORWARD``; ``how`` the volunteer gave their agreement to it. ``overrides``
    sets soft gates aside, each with the consulent's reason (never consent or the VOG).
    """

    volunteer_id: UUID
    centrale_id: str
    task_id: UUID
    via: ProposalVia
    how: AgreementHow
    overrides: Mapping[Gate, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ApproveProposal:
    """The volunteer's consulent, of ``consulent_centrale_id``, approves a proposal."""

    match_id: UUID
    consulent_centrale_id: str


@dataclass(frozen=True)
class AcceptProposal:
    """The organisation (``organisation_id``), or staff of the task's centrale for it, say yes to a proposal."""

    match_id: UUID
    task_centrale_id: str
    organisation_id: UUID | None = None

    @property
    def by(self) -> YesBy:
        """Whose hand the yes is from."""
        return YesBy.ORGANISATION if self.organisation_id is not None else YesBy.CONSULENT


@dataclass(frozen=True)
class AgreeToProposal:
    """The volunteer (``volunteer_id``) says yes to a proposal, or a consulent of their centrale records
    their yes (``consulent_centrale_id``, with ``how`` the volunteer gave it)."""

    match_id: UUID
    volunteer_id: UUID | None = None
    consulent_centrale_id: str | None = None
    how: AgreementHow | None = None

    @property
    def by(self) -> YesBy:
        """Whose hand the yes is from."""
        return YesBy.VOLUNTEER if self.volunteer_id is not None else YesBy.CONSULENT


@dataclass(frozen=True)
class DeclineProposal:
    """Decline a pending proposal.

    The caller is the organisation (``organisation_id``, in ``centrale_id``), a consulent of the task's or
    the volunteer's centrale (``centrale_id``), or the volunteer (``volunteer_id``).
    """

    match_id: UUID
    by: Decliner
    centrale_id: str | None = None
    organisation_id: UUID | None = None
    volunteer_id: UUID | None = None


@dataclass(frozen=True)
class EndMatch:
    """End a match, for ``reason``: the organisation (``organisation_id``, in ``centrale_id``), staff of either
    centrale (``centrale_id``), or the volunteer themselves (``volunteer_id``)."""

    match_id: UUID
    reason: EndReason
    by: Ender
    centrale_id: str | None = None
    organisation_id: UUID | None = None
    volunteer_id: UUID | None = None


@dataclass(frozen=True)
class ExpireStaleProposals:
    """Expire proposals unanswered for longer than the policy's time to live."""


@dataclass(frozen=True)
class ListTaskProposals:
    """A task's proposals for staff of its centrale or the organisation that posted it (``organisation_id``)."""

    task_id: UUID
    centrale_id: str
    organisation_id: UUID | None = None


@dataclass(frozen=True)
class GetMediation:
    """What consulenten recorded for a proposal, for staff of the task's or the volunteer's centrale."""

    match_id: UUID
    centrale_id: str


@dataclass(frozen=True)
class ListVolunteerProposals:
    """A volunteer's open proposals; for staff, only when the volunteer is of ``volunteer_centrale_id``."""

    volunteer_id: UUID
    volunteer_centrale_id: str | None = None


@dataclass(frozen=True)
class ListCentraleProposals:
    """The pending proposals of a centrale's volunteers for its consulenten's work queue: those that need their
    approval (``needs_consulent``), or those waiting longer than ``waiting_days``."""

    volunteer_centrale_id: str
    needs_consulent: bool | None = None
    waiting_days: int | None = None
    limit: int = 100


# -- overflow and team days ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferOverflow:
    """Offer tasks that found no match in time to consenting volunteers of the region's other centrales."""


@dataclass(frozen=True)
class MatchTeamDay:
    """Match a business partner's team day to an open team task with room for the whole team."""

    day: VolunteerDay


@dataclass(frozen=True)
class RecordPartner:
    """Keep a business partner's name (``BusinessPartnerRegistered``), for staff brokering its days."""

    partner_id: UUID
    name: str


@dataclass(frozen=True)
class ListOpenTeamDays:
    """The open team days staff of ``centrale_id`` may broker: naming their centrale or none."""

    centrale_id: str


@dataclass(frozen=True)
class AssignTeamDay:
    """Staff of ``centrale_id`` give an open team day to one of their centrale's tasks by hand."""

    day_id: UUID
    task_id: UUID
    centrale_id: str


# -- the Beursvloer -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordBeursPosting:
    """An offer or a request was posted on the Beursvloer: keep it and propose its best pairs."""

    posting: BeursPosting


@dataclass(frozen=True)
class CloseBeursPosting:
    """An offer or a request left the Beursvloer: it pairs no more."""

    posting_id: UUID
    closed_at: datetime
