"""What matching is asked to do: one command per use case, built by a handler, a route or a job."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from matching.domain.geo import Centroid
from matching.domain.model import TaskFacts, VolunteerDay, VolunteerFacts
from matching.domain.proposals import Decliner

__all__ = [
    "AcceptProposal",
    "ApproveProposal",
    "AssignTeamDay",
    "CloseTask",
    "DeclineProposal",
    "EndMatch",
    "EraseVolunteer",
    "ExpireStaleProposals",
    "ExpressInterest",
    "ListOpenTeamDays",
    "ListTaskProposals",
    "ListVolunteerProposals",
    "LoadPostcodeAreas",
    "MatchTeamDay",
    "OfferOverflow",
    "RecordPartner",
    "RecordPostedTask",
    "RecordTaskUpdate",
    "RecordVolunteer",
    "ReevaluateVolunteer",
]


# -- the read model (registry events) ---------------------------------------------------------------


@dataclass(frozen=True)
class RecordVolunteer:
    """Store a registered or updated volunteer, then re-evaluate them for open tasks."""

    volunteer: VolunteerFacts


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
class ApproveProposal:
    """The volunteer's consulent, of ``consulent_centrale_id``, approves a proposal."""

    match_id: UUID
    consulent_centrale_id: str


@dataclass(frozen=True)
class AcceptProposal:
    """Staff of the task's centrale, or the organisation itself (``organisation_id``), accept a proposal."""

    match_id: UUID
    task_centrale_id: str
    organisation_id: UUID | None = None


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
    """End a match: the organisation (``organisation_id``) or staff of either centrale (``centrale_id``)."""

    match_id: UUID
    centrale_id: str
    organisation_id: UUID | None = None


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
class ListVolunteerProposals:
    """A volunteer's open proposals; for staff, only when the volunteer is of ``volunteer_centrale_id``."""

    volunteer_id: UUID
    volunteer_centrale_id: str | None = None


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
