"""The proposal lifecycle as a state machine: a proposal becomes a match, or ends without one.

::

    proposed ──approve──▶ approved        (only when a consulent mediates: the volunteer needs support)
       │                     │
       ├──────── make ───────┤──▶ made ──end──▶ ended
       ├─ decline / expire ──┘
       ▼
    declined, expired                     (final, like ended)

A refused move raises ``Conflict`` (409 over HTTP) naming the state and what it could have become. Every
status matching stores or compares is a ``ProposalStatus``; nothing else spells one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from common.errors import Conflict

__all__ = [
    "LIVE",
    "PENDING",
    "TRANSITIONS",
    "Decliner",
    "EndReason",
    "Proposal",
    "ProposalStatus",
    "ProposalVia",
    "RefusedTransition",
    "can_move",
]


class ProposalStatus(StrEnum):
    """Where a proposal is in its life (the ``status`` column holds the value)."""

    PROPOSED = "proposed"
    APPROVED = "approved"
    MADE = "made"
    DECLINED = "declined"
    EXPIRED = "expired"
    ENDED = "ended"


class ProposalVia(StrEnum):
    """How a proposal came about."""

    MATCHING = "matching"
    INTEREST = "interest"
    OVERFLOW = "overflow"


class Decliner(StrEnum):
    """Who declined a proposal (``MatchDeclined.declined_by``)."""

    ORGANISATION = "organisation"
    CONSULENT = "consulent"
    VOLUNTEER = "volunteer"


class EndReason(StrEnum):
    """Why a match that was made ended (``MatchEnded.reason``)."""

    ENDED = "ended"
    VOLUNTEER_ERASED = "volunteer_erased"


_S = ProposalStatus
TRANSITIONS: Mapping[ProposalStatus, frozenset[ProposalStatus]] = {
    _S.PROPOSED: frozenset({_S.APPROVED, _S.MADE, _S.DECLINED, _S.EXPIRED}),
    _S.APPROVED: frozenset({_S.MADE, _S.DECLINED, _S.EXPIRED}),
    _S.MADE: frozenset({_S.ENDED}),
    _S.DECLINED: frozenset(),
    _S.EXPIRED: frozenset(),
    _S.ENDED: frozenset(),
}
"""Every move a proposal may make; anything else is refused."""

PENDING = frozenset({_S.PROPOSED, _S.APPROVED})
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
    decided_at: datetime | None = None
    ended_at: datetime | None = None

    def _moved(
        self,
        target: ProposalStatus,
        *,
        approved_at: datetime | None = None,
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
            decided_at=decided_at or self.decided_at,
            ended_at=ended_at or self.ended_at,
        )

    def approve(self, at: datetime) -> Proposal:
        """The volunteer's consulent agrees; only proposals waiting for a consulent are approved."""
        if not self.needs_consulent:
            raise Conflict("this proposal does not wait for a consulent")
        return self._moved(ProposalStatus.APPROVED, approved_at=at)

    def make(self, at: datetime) -> Proposal:
        """The organisation accepts: the match is made (after the consulent approved, where one mediates)."""
        if self.needs_consulent and self.status is ProposalStatus.PROPOSED:
            raise Conflict("this volunteer needs support: their consulent approves first")
        return self._moved(ProposalStatus.MADE, decided_at=at)

    def decline(self, at: datetime) -> Proposal:
        """The organisation, the consulent or the volunteer says no."""
        return self._moved(ProposalStatus.DECLINED, decided_at=at)

    def expire(self, at: datetime) -> Proposal:
        """No answer in time, the task closed or filled, or the volunteer no longer fits or was erased."""
        return self._moved(ProposalStatus.EXPIRED, decided_at=at)

    def end(self, at: datetime) -> Proposal:
        """A match that was made ends."""
        return self._moved(ProposalStatus.ENDED, ended_at=at)

    def without_reasons(self) -> Proposal:
        """The same proposal without its reasons (they describe an erased person)."""
        return replace(self, reasons=())
