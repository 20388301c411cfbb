"""The allowance guardrail's use cases on fakes: only for volunteers served, retries, conflicts, own entries."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from appreciation.domain import AllowanceLimits, Organisation
from appreciation.use_cases import allowances, awards
from common.errors import Conflict, NotFound
from tests.appreciation.builders import CENTRALE, match_of, trigger
from tests.appreciation.fakes import FakeAppreciationUnitOfWork

LIMITS = {
    2025: AllowanceLimits(
        hourly_21_plus=Decimal("5.60"), hourly_under_21=Decimal("3.30"), monthly=Decimal("210"), yearly=Decimal("2100")
    )
}


async def _served(uow: FakeAppreciationUnitOfWork, volunteer_id: UUID, name: str) -> UUID:
    """An organisation of CENTRALE with a match with the volunteer."""
    organisation_id = uuid4()
    await awards.record_organisation(awards.RecordOrganisation(Organisation(organisation_id, CENTRALE, name)), uow)
    await awards.record_match(
        awards.RecordMatch(match_of(volunteer_id, organisation_id=organisation_id), trigger()), uow
    )
    return organisation_id


async def _volunteer(uow: FakeAppreciationUnitOfWork, age_band: str = "30-49") -> UUID:
    volunteer_id = uuid4()
    registered = datetime(2025, 1, 1, tzinfo=UTC)
    await awards.record_volunteer(awards.RecordVolunteer(volunteer_id, CENTRALE, age_band, registered, trigger()), uow)
    return volunteer_id


def _record(organisation_id: UUID, payment: allowances.Payment, reference: str) -> allowances.RecordPayment:
    return allowances.RecordPayment(organisation_id, CENTRALE, payment, reference, "credential:org", LIMITS)


async def test_the_payment_that_would_break_the_monthly_limit_across_organisations_is_warned_not_blocked(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    volunteer_id = await _volunteer(uow)
    club, food_bank = await _served(uow, volunteer_id, "Club"), await _served(uow, volunteer_id, "Voedselbank")
    created, _, first = await allowances.record_payment(
        _record(club, allowances.Payment(volunteer_id, date(2025, 3, 5), Decimal("150.00")), "C-1"), uow
    )
    about_to_pay = allowances.Payment(volunteer_id, date(2025, 3, 20), Decimal("80.00"))

    check = await allowances.check_payment(allowances.CheckPayment(food_bank, CENTRALE, about_to_pay, LIMITS), uow)
    shown = allowances.evaluation(check)

    assert created
    assert first.within_limits
    assert shown["within_limits"] is False
    assert [(w["limit"], w["excess"]) for w in shown["warnings"]] == [("monthly", Decimal("20.00"))]
    assert (shown["month_room_before"], shown["year_room_before"]) == (Decimal("60.00"), Decimal("1950.00"))
    created, _, recorded = await allowances.record_payment(_record(food_bank, about_to_pay, "F-1"), uow)
    assert created  # kept
    assert not recorded.within_limits  # and warned


async def test_a_retry_with_the_same_reference_returns_the_first_record_and_another_payment_under_it_conflicts(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    volunteer_id = await _volunteer(uow)
    club = await _served(uow, volunteer_id, "Club")
    payment = allowances.Payment(volunteer_id, date(2025, 3, 5), Decimal("200.00"), Decimal("40"))

    created, allowance_id, check = await allowances.record_payment(_record(club, payment, "C-1"), uow)
    retried, same_id, check_again = await allowances.record_payment(_record(club, payment, "C-1"), uow)

    assert (created, retried, same_id) == (True, False, allowance_id)
    # The retry is checked against the totals without itself: the same answer as the first time.
    assert check_again == check
    with pytest.raises(Conflict, match="C-1"):
        await allowances.record_payment(
            _record(club, allowances.Payment(volunteer_id, date(2025, 3, 5), Decimal("1.00")), "C-1"), uow
        )
    assert len(uow.allowances.allowances) == 1


async def test_only_an_organisation_of_the_centrale_serving_the_volunteer_may_ask(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    volunteer_id, stranger = await _volunteer(uow), await _volunteer(uow)
    club = await _served(uow, volunteer_id, "Club")
    payment = allowances.Payment(stranger, date(2025, 3, 5), Decimal("10"))

    with pytest.raises(NotFound, match="among this organisation's matches"):
        await allowances.check_payment(allowances.CheckPayment(club, CENTRALE, payment, LIMITS), uow)
    with pytest.raises(NotFound, match="organisation"):
        await allowances.check_payment(
            allowances.CheckPayment(
                club, "vc-other", allowances.Payment(volunteer_id, date(2025, 3, 5), Decimal(1)), LIMITS
            ),
            uow,
        )
    with pytest.raises(NotFound, match="organisation"):
        await allowances.check_payment(allowances.CheckPayment(uuid4(), CENTRALE, payment, LIMITS), uow)


async def test_the_hourly_maximum_follows_the_volunteers_age_band(uow: FakeAppreciationUnitOfWork) -> None:
    young = await _volunteer(uow, "18-20")
    club = await _served(uow, young, "Club")
    payment = allowances.Payment(young, date(2025, 3, 5), Decimal("40.00"), Decimal("10"))

    check = await allowances.check_payment(allowances.CheckPayment(club, CENTRALE, payment, LIMITS), uow)

    assert [(w.limit, w.limit_amount) for w in check.warnings] == [("hourly", Decimal("3.30"))]


async def test_an_organisation_lists_only_its_own_entries_of_the_year(uow: FakeAppreciationUnitOfWork) -> None:
    volunteer_id = await _volunteer(uow)
    club, food_bank = await _served(uow, volunteer_id, "Club"), await _served(uow, volunteer_id, "Voedselbank")
    for organisation_id, day, reference in (
        (club, date(2025, 6, 1), "C-2"),
        (club, date(2025, 2, 1), "C-1"),
        (club, date(2024, 12, 1), "C-0"),
        (food_bank, date(2025, 3, 1), "F-1"),
    ):
        await allowances.record_payment(
            _record(organisation_id, allowances.Payment(volunteer_id, day, Decimal("5")), reference), uow
        )

    listed = await allowances.list_allowances(allowances.ListAllowances(club, CENTRALE, 2025), uow)

    assert [(entry["reference"], entry["paid_on"]) for entry in listed] == [
        ("C-1", date(2025, 2, 1)),
        ("C-2", date(2025, 6, 1)),
    ]
    assert set(listed[0]) == {"id", "volunteer_id", "reference", "paid_on", "amount", "hours", "recorded_at"}
