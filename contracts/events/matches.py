"""Events on the matches stream (``matching.matches.v1``), emitted by matching."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from contracts.events._base import Event, register
from contracts.events._common import CentraleId

__all__ = [
    "MatchAccepted",
    "MatchAgreed",
    "MatchApproved",
    "MatchDeclined",
    "MatchEnded",
    "MatchExpired",
    "MatchMade",
    "MatchProposed",
    "VolunteerDayMatched",
]


class _MatchFacts(Event):
    """Who and what a match is about; the two centrales differ after regional overflow."""

    match_id: UUID = Field(description="Id of the match (also of the proposal it started as).")
    task_id: UUID
    volunteer_id: UUID
    organisation_id: UUID
    centrale_id: CentraleId = Field(description="Centrale of the task.")
    volunteer_centrale_id: CentraleId = Field(
        description="Centrale of the volunteer (differs from the task's after regional overflow)."
    )


@register
class MatchProposed(_MatchFacts):
    """Emitted by matching when a volunteer is proposed for a task, with the reasons why."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.match.proposed.v1"
    topic: ClassVar[str] = "matching.matches.v1"
    subject_field: ClassVar[str] = "match_id"

    score: float = Field(ge=0, le=1, description="How well the volunteer fits (1 = perfect).")
    reasons: list[str] = Field(
        default_factory=list,
        description="Left empty since issue 16 (older events may have them): the reasons state the volunteer's"
        " skills, languages, availability and distance, which must not outlive an erasure on the topic; matching's"
        " API serves them.",
    )
    via: str = Field(
        "matching",
        description="matching (scored), interest (the volunteer responded), overflow, on_behalf (a consulent "
        "responded for the volunteer) or put_forward (a consulent put the volunteer forward, with their agreement).",
    )
    needs_consulent: bool = Field(
        False,
        description="Always false since issue 16 (older events may say true): it states a support need. Whether a"
        " consulent approves first follows from the volunteer's profile (the registry's own, matching's API).",
    )
    proposed_at: datetime


@register
class MatchApproved(_MatchFacts):
    """Emitted by matching when the consulent of a volunteer who needs support approves a proposal."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.match.approved.v1"
    topic: ClassVar[str] = "matching.matches.v1"
    subject_field: ClassVar[str] = "match_id"

    approved_at: datetime


@register
class MatchAccepted(_MatchFacts):
    """Emitted by matching when the organisation says yes to a proposal; a match needs the volunteer's yes too.

    When the volunteer agreed first, ``MatchMade`` follows in the same transaction.
    """

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.match.accepted.v1"
    topic: ClassVar[str] = "matching.matches.v1"
    subject_field: ClassVar[str] = "match_id"

    accepted_by: str = Field(
        "organisation", description="organisation, or consulent (staff of the task's centrale for the organisation)."
    )
    accepted_at: datetime


@register
class MatchAgreed(_MatchFacts):
    """Emitted by matching when the volunteer says yes to a proposal; a match needs the organisation's yes too.

    When the organisation accepted first, ``MatchMade`` follows in the same transaction.
    """

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.match.agreed.v1"
    topic: ClassVar[str] = "matching.matches.v1"
    subject_field: ClassVar[str] = "match_id"

    agreed_by: str = Field(
        "volunteer", description="volunteer, or consulent (recorded on the volunteer's behalf, who agreed to it)."
    )
    agreed_at: datetime


@register
class MatchDeclined(_MatchFacts):
    """Emitted by matching when a proposal is declined by the organisation, the consulent or the volunteer."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.match.declined.v1"
    topic: ClassVar[str] = "matching.matches.v1"
    subject_field: ClassVar[str] = "match_id"

    declined_by: str = Field(description="organisation, consulent or volunteer.")
    declined_at: datetime


@register
class MatchExpired(_MatchFacts):
    """Emitted by matching when a proposal got no answer in time or its task closed first."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.match.expired.v1"
    topic: ClassVar[str] = "matching.matches.v1"
    subject_field: ClassVar[str] = "match_id"

    expired_at: datetime


@register
class MatchEnded(_MatchFacts):
    """Emitted by matching when a match that was made ends (the volunteer stops, the task ends), with who and why."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.match.ended.v1"
    topic: ClassVar[str] = "matching.matches.v1"
    subject_field: ClassVar[str] = "match_id"

    ended_at: datetime
    reason: str = Field(
        "ended",
        description="Why it ended: moved, no_time, not_a_fit, task_ended, other; volunteer_erased when the "
        "volunteer was erased; ended when no reason was given (before reasons were recorded).",
    )
    ended_by: str | None = Field(
        None, description="Who ended it: organisation, volunteer, consulent, or matching (an erasure); None before."
    )


@register
class MatchMade(_MatchFacts):
    """Emitted by matching when both sides said yes: the organisation accepted and the volunteer agreed (and, for a
    volunteer who needs support, their consulent approved first)."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.match.made.v1"
    topic: ClassVar[str] = "matching.matches.v1"
    subject_field: ClassVar[str] = "match_id"

    made_at: datetime


@register
class VolunteerDayMatched(Event):
    """Emitted by matching when a partner's volunteer day is matched to a task with room for the team."""

    event_type: ClassVar[str] = "nl.vrijwilligerscentrale.volunteer-day.matched.v1"
    topic: ClassVar[str] = "matching.volunteer-days.v1"
    subject_field: ClassVar[str] = "day_id"

    day_id: UUID
    partner_id: UUID
    task_id: UUID
    organisation_id: UUID
    centrale_id: CentraleId = Field(description="Centrale of the task.")
    matched_at: datetime
    via: str | None = Field(
        None,
        description="How the day found its task: matching (automatically) or staff (brokered by hand); absent in"
        " events from before it was added, which were all matching's.",
        examples=["matching", "staff"],
    )
