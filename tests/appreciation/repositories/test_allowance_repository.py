"""Allowance repository: one record per reference, totals across organisations, kept on erasure."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID, uuid4

from appreciation.domain import Allowance
from appreciation.unit_of_work import AppreciationUnitOfWork

AT = datetime(2026, 3, 14, 18, 0, tzinfo=UTC)


def _allowance(
    volunteer_id: UUID, organisation_id: UUID, reference: str, paid_on: date, amount: str, centrale_id: str = "vc-a"
) -> Allowance:
    return Allowance(
        uuid4(), organisation_id, centrale_id, volunteer_id, reference, paid_on, Decimal(amount), None, "org", AT
    )


async def test_an_organisations_reference_is_used_once(uow: AppreciationUnitOfWork) -> None:
    volunteer_id, organisation_id, other_organisation = uuid4(), uuid4(), uuid4()
    paid = _allowance(volunteer_id, organisation_id, "BET-1", date(2025, 3, 5), "150.00")

    assert await uow.allowances.add(paid) is True
    assert await uow.allowances.add(replace(paid, id=uuid4(), amount=Decimal("1"))) is False
    assert await uow.allowances.add(replace(paid, id=uuid4(), organisation_id=other_organisation)) is True
    assert await uow.allowances.by_reference(organisation_id, "BET-1") == paid
    assert await uow.allowances.by_reference(organisation_id, "BET-2") is None


async def test_what_a_volunteer_was_paid_counts_every_organisation_within_the_period(
    uow: AppreciationUnitOfWork,
) -> None:
    volunteer_id, club, food_bank = uuid4(), uuid4(), uuid4()
    march = _allowance(volunteer_id, club, "C-1", date(2025, 3, 5), "150.00")
    april = _allowance(volunteer_id, food_bank, "F-1", date(2025, 4, 1), "20.00")
    next_year = _allowance(volunteer_id, club, "C-2", date(2026, 1, 1), "5.00")
    someone_else = _allowance(uuid4(), club, "C-3", date(2025, 3, 6), "7.00")
    for allowance in (march, april, next_year, someone_else):
        await uow.allowances.add(allowance)

    year = await uow.allowances.paid_to(volunteer_id, date(2025, 1, 1), date(2026, 1, 1))
    without_march = await uow.allowances.paid_to(volunteer_id, date(2025, 1, 1), date(2026, 1, 1), excluding=march.id)

    assert sorted(year) == [(date(2025, 3, 5), Decimal("150.00")), (date(2025, 4, 1), Decimal("20.00"))]
    assert without_march == [(date(2025, 4, 1), Decimal("20.00"))]


async def test_an_organisation_lists_its_own_entries_of_a_period_by_day_and_they_stay_after_erasure(
    uow: AppreciationUnitOfWork,
) -> None:
    volunteer_id, club = uuid4(), uuid4()
    later = _allowance(volunteer_id, club, "C-2", date(2025, 6, 1), "10.00")
    earlier = _allowance(volunteer_id, club, "C-1", date(2025, 3, 1), "10.00")
    other_centrale = _allowance(volunteer_id, club, "C-3", date(2025, 4, 1), "10.00", centrale_id="vc-b")
    other_year = _allowance(volunteer_id, club, "C-4", date(2024, 12, 31), "10.00")
    for allowance in (
        later,
        earlier,
        other_centrale,
        other_year,
        _allowance(volunteer_id, uuid4(), "X", date(2025, 5, 1), "1"),
    ):
        await uow.allowances.add(allowance)

    assert await uow.allowances.of_organisation(club, "vc-a", date(2025, 1, 1), date(2026, 1, 1)) == [earlier, later]

    await uow.allowances.anonymise(volunteer_id)

    entries = await uow.allowances.of_organisation(club, "vc-a", date(2025, 1, 1), date(2026, 1, 1))
    assert [(a.id, a.volunteer_id) for a in entries] == [(earlier.id, None), (later.id, None)]
    assert await uow.allowances.paid_to(volunteer_id, date(2025, 1, 1), date(2026, 1, 1)) == []
