"""The Beursvloer's and the trainings' pure rules: the deal lifecycle, settling a follow-up, the waiting list."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from common.errors import Conflict
from registry.beursvloer_rules import DealStatus, Outcome, SideAnswer, follow_up_due, move, settle
from registry.training_rules import Audience, for_audience, move_up

TWELVE = Decimal(12)


@pytest.mark.parametrize(
    ("current", "to"),
    [
        ("pending", DealStatus.MADE),
        ("pending", DealStatus.CANCELLED),
        ("made", DealStatus.DONE),
        ("made", DealStatus.NOT),
    ],
)
def test_the_deal_lifecycle_allows_its_moves(current: str, to: DealStatus) -> None:
    assert move(current, to) is to


@pytest.mark.parametrize(
    ("current", "to", "message"),
    [
        ("pending", DealStatus.DONE, "deal is pending: it can become cancelled, made, not done"),
        ("made", DealStatus.CANCELLED, "deal is made: it can become done, not, partly, not cancelled"),
        ("done", DealStatus.NOT, "deal is done: it can become nothing else, not not"),
    ],
)
def test_a_move_the_lifecycle_does_not_allow_is_a_conflict_naming_both(
    current: str, to: DealStatus, message: str
) -> None:
    with pytest.raises(Conflict) as refused:
        move(current, to)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("answers", "hours", "expected"),
    [
        ([SideAnswer(Outcome.DONE), SideAnswer(Outcome.DONE)], TWELVE, (Outcome.DONE, TWELVE)),
        ([SideAnswer(Outcome.DONE), SideAnswer(Outcome.PARTLY, Decimal(8))], TWELVE, (Outcome.PARTLY, Decimal(8))),
        ([SideAnswer(Outcome.DONE, Decimal(14)), SideAnswer(Outcome.DONE)], TWELVE, (Outcome.DONE, TWELVE)),
        ([SideAnswer(Outcome.NOT), SideAnswer(Outcome.DONE)], TWELVE, (Outcome.NOT, Decimal(0))),
        ([SideAnswer(Outcome.PARTLY), SideAnswer(Outcome.DONE)], None, (Outcome.PARTLY, None)),  # goods: no hours
        ([SideAnswer(Outcome.NOT)], None, (Outcome.NOT, None)),
        ([SideAnswer(Outcome.DONE, Decimal(3))], None, (Outcome.DONE, Decimal(3))),
    ],
)
def test_a_follow_up_settles_on_the_careful_outcome_and_the_fewest_hours(
    answers: list[SideAnswer], hours: Decimal | None, expected: tuple[Outcome, Decimal | None]
) -> None:
    assert settle(answers, hours) == expected


def test_a_follow_up_is_due_on_the_date_plus_the_days() -> None:
    due = date(2026, 12, 1)
    assert follow_up_due(due, 7, date(2026, 12, 7)) is False
    assert follow_up_due(due, 7, date(2026, 12, 8)) is True
    assert follow_up_due(due, 0, due) is True


def test_the_waiting_list_moves_up_in_order_whoever_fits() -> None:
    first, big, small, last = uuid4(), uuid4(), uuid4(), uuid4()
    waiting = [(first, 1), (big, 3), (small, 1), (last, 1)]
    assert move_up(capacity=10, taken=7, waiting=waiting) == [first, small, last]
    assert move_up(capacity=10, taken=6, waiting=waiting) == [first, big]
    assert move_up(capacity=10, taken=10, waiting=waiting) == []


def test_a_training_for_both_is_open_to_either_audience() -> None:
    assert for_audience("both", Audience.VOLUNTEERS)
    assert for_audience("organisations", Audience.ORGANISATIONS)
    assert not for_audience("organisations", Audience.VOLUNTEERS)
