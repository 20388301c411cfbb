"""The proposal lifecycle: every allowed move, every refused one a 409 that says why."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest

from common.errors import Conflict
from matching.domain.proposals import (
    LIVE,
    PENDING,
    TRANSITIONS,
    Proposal,
    ProposalStatus,
    ProposalVia,
    RefusedTransition,
    can_move,
)
from tests.matching.builders import NOW

S = ProposalStatus
LATER = NOW + timedelta(hours=1)


def _in(status: ProposalStatus, *, needs_consulent: bool = False) -> Proposal:
    return Proposal(
        match_id=uuid4(),
        task_id=uuid4(),
        volunteer_id=uuid4(),
        organisation_id=uuid4(),
        centrale_id="vc-utrecht",
        volunteer_centrale_id="vc-utrecht",
        score=0.5,
        reasons=("x",),
        via=ProposalVia.MATCHING,
        needs_consulent=needs_consulent,
        status=status,
        proposed_at=NOW,
    )


MOVES = {
    S.APPROVED: lambda p: p.approve(LATER),
    S.MADE: lambda p: p.make(LATER),
    S.DECLINED: lambda p: p.decline(LATER),
    S.EXPIRED: lambda p: p.expire(LATER),
    S.ENDED: lambda p: p.end(LATER),
}


def test_the_lifecycle_is_the_one_drawn() -> None:
    assert {current: set(targets) for current, targets in TRANSITIONS.items()} == {
        S.PROPOSED: {S.APPROVED, S.MADE, S.DECLINED, S.EXPIRED},
        S.APPROVED: {S.MADE, S.DECLINED, S.EXPIRED},
        S.MADE: {S.ENDED},
        S.DECLINED: set(),
        S.EXPIRED: set(),
        S.ENDED: set(),
    }
    assert set(TRANSITIONS) == set(ProposalStatus)
    assert {S.PROPOSED, S.APPROVED} == PENDING
    assert {S.PROPOSED, S.APPROVED, S.MADE} == LIVE


@pytest.mark.parametrize(("current", "target"), [(c, t) for c in S for t in S if can_move(c, t)])
def test_an_allowed_move_lands_in_its_state(current: ProposalStatus, target: ProposalStatus) -> None:
    # A consulent mediates here so approving is possible; proposed -> made needs the approval (next test).
    mediated = current is S.APPROVED or target is S.APPROVED
    moved = MOVES[target](_in(current, needs_consulent=mediated))

    assert moved.status is target


@pytest.mark.parametrize(("current", "target"), [(c, t) for c in S for t in MOVES if not can_move(c, t)])
def test_a_refused_move_is_a_conflict_naming_where_the_proposal_is(
    current: ProposalStatus, target: ProposalStatus
) -> None:
    proposal = _in(current, needs_consulent=True)

    with pytest.raises(RefusedTransition) as refused:
        MOVES[target](proposal)

    assert isinstance(refused.value, Conflict)
    assert str(refused.value).startswith(f"proposal is {current.value}")
    assert str(refused.value).endswith(f" {target.value}")


def test_a_refused_move_says_where_the_proposal_could_go() -> None:
    with pytest.raises(RefusedTransition) as approved_twice:
        _in(S.APPROVED, needs_consulent=True).approve(LATER)
    with pytest.raises(RefusedTransition) as ended_early:
        _in(S.PROPOSED).end(LATER)

    assert str(approved_twice.value) == "proposal is approved: it can become made, declined or expired, not approved"
    assert (
        str(ended_early.value) == "proposal is proposed: it can become approved, made, declined or expired, not ended"
    )


def test_a_final_state_says_it_is_final() -> None:
    with pytest.raises(RefusedTransition) as refused:
        _in(S.EXPIRED).decline(LATER)

    assert str(refused.value) == "proposal is expired, which is final: it cannot become declined"


def test_only_a_proposal_waiting_for_a_consulent_is_approved() -> None:
    with pytest.raises(Conflict, match="does not wait for a consulent"):
        _in(S.PROPOSED, needs_consulent=False).approve(LATER)


def test_a_volunteer_who_needs_support_is_matched_only_after_the_consulent_approved() -> None:
    waiting = _in(S.PROPOSED, needs_consulent=True)

    with pytest.raises(Conflict, match="their consulent approves first"):
        waiting.make(LATER)
    assert waiting.approve(NOW).make(LATER).status is S.MADE


def test_each_move_records_when_it_happened_and_keeps_earlier_moments() -> None:
    approved = _in(S.PROPOSED, needs_consulent=True).approve(NOW)
    made = approved.make(LATER)
    ended = made.end(LATER + timedelta(days=30))
    expired = _in(S.PROPOSED).expire(LATER)

    assert (ended.approved_at, ended.decided_at, ended.ended_at) == (NOW, LATER, LATER + timedelta(days=30))
    assert (expired.approved_at, expired.decided_at, expired.ended_at) == (None, LATER, None)


def test_forgetting_the_reasons_changes_nothing_else() -> None:
    proposal = _in(S.MADE)

    assert proposal.without_reasons().reasons == ()
    assert proposal.without_reasons().status is S.MADE
