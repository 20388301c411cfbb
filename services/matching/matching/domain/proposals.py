"""The proposal lifecycle as a state machine: a match takes two yeses, or the proposal ends without one.

::

    proposed ──approve──▶ approved                  (only when a consulent mediates: the volunteer needs support)
    proposed | approved ──accept (organisation)──▶ accepted ──agree (volunteer)──────▶ made ──end──▶ ended
    proposed | approved ──agree (volunteer)──────▶ agreed ────accept (organisation)──▶ made
    proposed | approved | accepted | agreed ──decline / expire──▶ declined, expired   (final, like ended)

A match is made when the organisation accepted AND the volunteer agreed, in either order; where a consulent
mediates, neither yes counts before the consulent approved. A refused move raises ``Conflict`` (409 over
HTTP) naming the state and what it could have become. Every status matching stores or compares is a
``ProposalStatus``; nothing else spells one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from common.errors import Conflict

__all__ = [
    "ENDABLE_REASONS",
    "LIVE",
    "PENDING",
    "TRANSITIONS",
    "Decliner",
    "EndReason",
    "Ender",
    "Proposal",
    "ProposalStatus",
    "ProposalVia",
    "RefusedTransition",
    "YesBy",
    "can_move",
]


class ProposalStatus(StrEnum):
    """Where a proposal is in its life (the ``status`` column holds the value)."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    ACCEPTED = "accepted"
    """The organisation said yes; the volunteer's yes is awaited."""
    AGREED = "agreed"
    """The volunteer said yes; the organisation's yes is awaited."""
    MADE = "made"
    DECLINED = "declined"
    EXPIRED = "expired"
    ENDED = "ended"


class ProposalVia(StrEnum):
    """How a proposal came about."""

    MATCHING = "matching"
    INTEREST = "interest"
    """The volunteer responded to the task themselves."""
    OVERFLOW = "overflow"
    ON_BEHALF = "on_behalf"
    """A consulent responded for the volunteer (who asked them to)."""
    PUT_FORWARD = "put_forward"
    """A consulent put the volunteer forward for the task, with the volunteer's agreement."""


class Decliner(StrEnum):
    """Who declined a proposal (``MatchDeclined.declined_by``)."""

    ORGANISATION = "organisation"
    CONSULENT = "consulent"
    VOLUNTEER = "volunteer"


class YesBy(StrEnum):
    """Who said a side's yes: the side itself, or a consulent for it (``MatchAccepted.accepted_by``,
    ``MatchAgreed.agreed_by``)."""

    ORGANISATION = "organisation"
    VOLUNTEER = "volunteer"
    CONSULENT = "consulent"


class EndReason(StrEnum):
    """Why a match that was made ended (``MatchEnded.reason``)."""

    MOVED = "moved"
    NO_TIME = "no_time"
    NOT_A_FIT = "not_a_fit"
    TASK_ENDED = "task_ended"
    OTHER = "other"
    VOLUNTEER_ERASED = "volunteer_erased"
    ENDED = "ended"
    """No reason given: matches ended before reasons were recorded."""


ENDABLE_REASONS = (EndReason.MOVED, EndReason.NO_TIME, EndReason.NOT_A_FIT, EndReason.TASK_ENDED, EndReason.OTHER)
"""The reasons a person ending a match chooses from (the others are the platform's own)."""


class Ender(StrEnum):
    """Who ended a match (``MatchEnded.ended_by``)."""

    ORGANISATION = "organisation"
    VOLUNTEER = "volunteer"
    CONSULENT = "consulent"
    MATCHING = "matching"
    """Matching itself: the volunteer was erased."""


_S = ProposalStatus
TRANSITIONS: Mapping[ProposalStatus, frozenset[ProposalStatus]] = {
    _S.PROPOSED: frozenset({_S.APPROVED, _S.ACCEPTED, _S.AGREED, _S.DECLINED, _S.EXPIRED}),
    _S.APPROVED: frozenset({_S.ACCEPTED, _S.AGREED, _S.DECLINED, _S.EXPIRED}),
    _S.ACCEPTED: frozenset({_S.MADE, _S.DECLINED, _S.EXPIRED}),
    _S.AGREED: frozenset({_S.MADE, _S.DECLINED, _S.EXPIRED}),
    _S.MADE: frozenset({_S.ENDED}),
    _S.DECLINED: frozenset(),
    _S.EXPIRED: frozenset(),
    _S.ENDED: frozenset(),
}
"""Every move a proposal may make; anything else is refused."""

PENDING = frozenset({_S.PROPOSED, _S.APPROVED, _S.ACCEPTED, _S.AGREED})
"""Waiting for a decision: these can still be made, declined or expire."""
LIVE = PENDING | {_S.MADE}
"""Proposals and matches that count: one live one per volunteer and task, and each is an open commitment."""


def can_move(current: ProposalStatus, target: ProposalStatus) -> bool:
    """Whether a proposal in ``current`` may become ``target``."""
    return target in TRANSITIONS[current]


class RefusedTransition(Conflict):
    """A proposal was asked to move where its lifecycle does not go (409)."""

    def __init__(self, current: ProposalStatus, target: ProposalStatus) -> None:
        allowed = [status.value for status in ProposalStatus if status in TRANSITIONS[current]]
        if allowed:
            could = " or ".join([", ".join(allowed[:-1]), allowed[-1]] if len(allowed) > 1 else allowed)
            message = f"proposal is {current.value}: it can become {could}, not {target.value}"
        else:
            message = f"proposal is {current.value}, which is final: it cannot become {target.value}"
        super().__init__(message)
        self.current = current
        self.target = target


@dataclass(frozen=True)
class Proposal:
    """A volunteer proposed for a task; accepted, the same record (and id) is the match."""

    match_id: UUID
    task_id: UUID
    volunteer_id: UUID
    organisation_id: UUID
    centrale_id: str
    """The task's centrale."""
    volunteer_centrale_id: str
    """The volunteer's centrale (another one after regional overflow)."""
    score: float
    reasons: tuple[str, ...]
    via: ProposalVia
    needs_consulent: bool
    status: ProposalStatus
    proposed_at: datetime
    approved_at: datetime | None = None
    accepted_at: datetime | None = None
    """When the organisation said yes."""
    agreed_at: datetime | None = None
    """When the volunteer said yes."""
    decided_at: datetime | None = None
    """When it was made, declined or expired."""
    ended_at: datetime | None = None
    end_reason: EndReason | None = None
    ended_by: Ender | None = None

    def _moved(
        self,
        target: ProposalStatus,
        *,
        approved_at: datetime | None = None,
        accepted_at: datetime | None = None,
        agreed_at: datetime | None = None,
        decided_at: datetime | None = None,
        ended_at: datetime | None = None,
    ) -> Proposal:
        """The proposal in ``target``, stamped with when it got there; refused where the lifecycle does not go."""
        if not can_move(self.status, target):
            raise RefusedTransition(self.status, target)
        return replace(
            self,
            status=target,
            approved_at=approved_at or self.approved_at,
            accepted_at=accepted_at or self.accepted_at,
            agreed_at=agreed_at or self.agreed_at,
            decided_at=decided_at or self.decided_at,
            ended_at=ended_at or self.ended_at,
        )

    def _consulent_first(self) -> None:
        if self.needs_consulent and self.status is ProposalStatus.PROPOSED:
            raise Conflict("this volunteer needs support: their consulent approves first")

    def approve(self, at: datetime) -> Proposal:
        """The volunteer's consulent agrees; only proposals waiting for a consulent are approved."""
        if not self.needs_consulent:
            raise Conflict("this proposal does not wait for a consulent")
        return self._moved(ProposalStatus.APPROVED, approved_at=at)

    def accept(self, at: datetime) -> Proposal:
        """The organisation says yes: the match is made if the volunteer agreed already, else it waits for them."""
        self._consulent_first()
        if self.status is ProposalStatus.AGREED:
            return self._moved(ProposalStatus.MADE, accepted_at=at, decided_at=at)
        return self._moved(ProposalStatus.ACCEPTED, accepted_at=at)

    def agree(self, at: datetime) -> Proposal:
        """The volunteer says yes: the match is made if the organisation accepted already, else it waits for it."""
        self._consulent_first()
        if self.status is ProposalStatus.ACCEPTED:
            return self._moved(ProposalStatus.MADE, agreed_at=at, decided_at=at)
        return self._moved(ProposalStatus.AGREED, agreed_at=at)

    def decline(self, at: datetime) -> Proposal:
        """The organisation, the consulent or the volunteer says no."""
        return self._moved(ProposalStatus.DECLINED, decided_at=at)

    def expire(self, at: datetime) -> Proposal:
        """No answer in time, the task closed or filled, or the volunteer no longer fits or was erased."""
        return self._moved(ProposalStatus.EXPIRED, decided_at=at)

    def end(self, at: datetime, reason: EndReason, by: Ender) -> Proposal:
        """A match that was made ends, for a reason, by someone."""
        return replace(self._moved(ProposalStatus.ENDED, ended_at=at), end_reason=reason, ended_by=by)

    def without_reasons(self) -> Proposal:
        """The same proposal without its reasons and consulent flag (they describe an erased person)."""
        return replace(self, reasons=(), needs_consulent=False)
