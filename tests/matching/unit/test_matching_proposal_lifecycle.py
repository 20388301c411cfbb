"""The proposal lifecycle: two yeses in either order make a match; every refused move a 409 that says why."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import pytest

from common.errors import Conflict
from matching.domain.proposals import (
    LIVE,
    PENDING,
    TRANSITIONS,
    Ender,
    EndReason,
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


def _end(proposal: Proposal) -> Proposal:
    return proposal.end(LATER, EndReason.MOVED, Ender.VOLUNTEER)


# The move that takes a proposal into each state (made: the second yes, whichever side gives it).
MOVES = {
    S.APPROVED: lambda p: p.approve(LATER),
    S.ACCEPTED: lambda p: p.accept(LATER),
    S.AGREED: lambda p: p.agree(LATER),
    S.MADE: lambda p: p.agree(LATER) if p.status is S.ACCEPTED else p.accept(LATER),
    S.DECLINED: lambda p: p.decline(LATER),
    S.EXPIRED: lambda p: p.expire(LATER),
    S.ENDED: _end,
}


def test_the_lifecycle_is_the_one_drawn() -> None:
    assert {current: set(targets) for current, targets in TRANSITIONS.items()} == {
        S.PROPOSED: {S.APPROVED, S.ACCEPTED, S.AGREED, S.DECLINED, S.EXPIRED},
        S.APPROVED: {S.ACCEPTED, S.AGREED, S.DECLINED, S.EXPIRED},
        S.ACCEPTED: {S.MADE, S.DECLINED, S.EXPIRED},
        S.AGREED: {S.MADE, S.DECLINED, S.EXPIRED},
        S.MADE: {S.ENDED},
        S.DECLINED: set(),
        S.EXPIRED: set(),
        S.ENDED: set(),
    }
    assert set(TRANSITIONS) == set(ProposalStatus)
    assert {S.PROPOSED, S.APPROVED, S.ACCEPTED, S.AGREED} == PENDING
    assert {S.PROPOSED, S.APPROVED, S.ACCEPTED, S.AGREED, S.MADE} == LIVE


@pytest.mark.parametrize(("current", "target"), [(c, t) for c in S for t in S if can_move(c, t)])
def test_an_allowed_move_lands_in_its_state(current: ProposalStatus, target: ProposalStatus) -> None:
    # A consulent mediates here so approving is possible; from proposed a yes needs the approval (test below).
    mediated = current is S.APPROVED or target is S.APPROVED
    moved = MOVES[target](_in(current, needs_consulent=mediated))

    assert moved.status is target


# Refused moves, each tried the way it would be asked for (a second yes from the side that gave one is refused).
REFUSED = [
    (current, target)
    for current in S
    for target in (S.APPROVED, S.DECLINED, S.EXPIRED, S.ENDED)
    if not can_move(current, target)
] + [(current, S.ACCEPTED) for current in (S.ACCEPTED, S.MADE, S.DECLINED, S.EXPIRED, S.ENDED)]


@pytest.mark.parametrize(("current", "target"), REFUSED)
def test_a_refused_move_is_a_conflict_naming_where_the_proposal_is(
    current: ProposalStatus, target: ProposalStatus
) -> None:
    proposal = _in(current, needs_consulent=current is not S.PROPOSED)

    with pytest.raises(RefusedTransition) as refused:
        MOVES[target](proposal)

    assert isinstance(refused.value, Conflict)
    assert str(refused.value).startswith(f"proposal is {current.value}")
    assert str(refused.value).endswith(f" {target.value}")


def test_one_side_saying_yes_twice_is_refused_the_others_yes_makes_the_match() -> None:
    accepted = _in(S.PROPOSED).accept(NOW)
    agreed = _in(S.PROPOSED).agree(NOW)

    with pytest.raises(RefusedTransition, match="proposal is accepted: it can become made, declined or expired"):
        accepted.accept(LATER)
    with pytest.raises(RefusedTransition, match="proposal is agreed: it can become made, declined or expired"):
        agreed.agree(LATER)
    assert accepted.agree(LATER).status is S.MADE
    assert agreed.accept(LATER).status is S.MADE


def test_a_refused_move_says_where_the_proposal_could_go() -> None:
    with pytest.raises(RefusedTransition) as approved_twice:
        _in(S.APPROVED, needs_consulent=True).approve(LATER)
    with pytest.raises(RefusedTransition) as ended_early:
        _end(_in(S.PROPOSED))

    assert (
        str(approved_twice.value)
        == "proposal is approved: it can become accepted, agreed, declined or expired, not approved"
    )
    assert (
        str(ended_early.value)
        == "proposal is proposed: it can become approved, accepted, agreed, declined or expired, not ended"
    )


def test_a_final_state_says_it_is_final() -> None:
    with pytest.raises(RefusedTransition) as refused:
        _in(S.EXPIRED).decline(LATER)

    assert str(refused.value) == "proposal is expired, which is final: it cannot become declined"


def test_only_a_proposal_waiting_for_a_consulent_is_approved() -> None:
    with pytest.raises(Conflict, match="does not wait for a consulent"):
        _in(S.PROPOSED, needs_consulent=False).approve(LATER)


def test_a_volunteer_who_needs_support_says_yes_and_is_accepted_only_after_the_consulent_approved() -> None:
    waiting = _in(S.PROPOSED, needs_consulent=True)

    with pytest.raises(Conflict, match="their consulent approves first"):
        waiting.accept(LATER)
    with pytest.raises(Conflict, match="their consulent approves first"):
        waiting.agree(LATER)
    assert waiting.approve(NOW).accept(LATER).agree(LATER).status is S.MADE


def test_each_move_records_when_it_happened_and_keeps_earlier_moments() -> None:
    approved = _in(S.PROPOSED, needs_consulent=True).approve(NOW)
    accepted = approved.accept(NOW + timedelta(minutes=5))
    made = accepted.agree(LATER)
    ended = made.end(LATER + timedelta(days=30), EndReason.NOT_A_FIT, Ender.ORGANISATION)
    expired = _in(S.PROPOSED).agree(NOW).expire(LATER)

    assert (ended.approved_at, ended.accepted_at, ended.agreed_at, ended.decided_at, ended.ended_at) == (
        NOW,
        NOW + timedelta(minutes=5),
        LATER,
        LATER,
        LATER + timedelta(days=30),
    )
    assert (ended.end_reason, ended.ended_by) == (EndReason.NOT_A_FIT, Ender.ORGANISATION)
    assert (expired.approved_at, expired.agreed_at, expired.decided_at, expired.ended_at) == (None, NOW, LATER, None)


def test_forgetting_the_reasons_changes_nothing_else() -> None:
    proposal = _in(S.MADE)

    assert proposal.without_reasons().reasons == ()
    assert proposal.without_reasons().status is S.MADE


def test_an_erased_volunteers_proposal_no_longer_says_a_consulent_mediates() -> None:
    """The flag states a support need (a special category): erasure leaves the proposal without it."""
    proposal = replace(_in(S.MADE), needs_consulent=True)

    assert (proposal.without_reasons().needs_consulent, proposal.without_reasons().status) == (False, S.MADE)
