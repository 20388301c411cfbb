"""Volunteer repository: claiming, the centrale guessed from hours and confirmed later, tombstones."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import uuid4

from appreciation.domain import Volunteer
from appreciation.unit_of_work import AppreciationUnitOfWork


async def test_a_claim_creates_the_volunteers_it_does_not_know_in_id_order(uow: AppreciationUnitOfWork) -> None:
    first, second = sorted([uuid4(), uuid4()])

    claimed = await uow.volunteers.claim({second: "vc-b", first: "vc-a"}, confirmed=False)

    assert list(claimed) == [first, second]
    assert claimed[first] == Volunteer(first, "vc-a", centrale_confirmed=False)
    assert await uow.volunteers.get(second) == Volunteer(second, "vc-b", centrale_confirmed=False)


async def test_a_guessed_centrale_is_replaced_by_the_first_confirmation_only(uow: AppreciationUnitOfWork) -> None:
    volunteer_id = uuid4()
    await uow.volunteers.claim({volunteer_id: "vc-task"}, confirmed=False)
    await uow.volunteers.claim({volunteer_id: "vc-other-task"}, confirmed=False)
    assert (await uow.volunteers.get(volunteer_id)) == Volunteer(volunteer_id, "vc-task", centrale_confirmed=False)

    confirmed = await uow.volunteers.claim({volunteer_id: "vc-own"}, confirmed=True)
    again = await uow.volunteers.claim({volunteer_id: "vc-elsewhere"}, confirmed=True)

    assert confirmed[volunteer_id] == Volunteer(volunteer_id, "vc-own", centrale_confirmed=True)
    assert again[volunteer_id].centrale_id == "vc-own"


async def test_an_erased_volunteer_is_never_claimed_again_and_leaves_no_row(uow: AppreciationUnitOfWork) -> None:
    erased, kept = uuid4(), uuid4()
    await uow.volunteers.claim({erased: "vc-a"}, confirmed=True)
    await uow.volunteers.hold_for_erasure(erased, "vc-a")
    await uow.volunteers.mark_erased(erased, datetime(2026, 3, 1, tzinfo=UTC))
    await uow.volunteers.remove(erased)

    claimed = await uow.volunteers.claim({erased: "vc-a", kept: "vc-a"}, confirmed=False)

    assert list(claimed) == [kept]
    assert await uow.volunteers.get(erased) is None


async def test_holding_for_erasure_creates_the_row_or_leaves_the_one_there(uow: AppreciationUnitOfWork) -> None:
    known, unknown = uuid4(), uuid4()
    await uow.volunteers.claim({known: "vc-own"}, confirmed=True)

    await uow.volunteers.hold_for_erasure(known, "vc-event")
    await uow.volunteers.hold_for_erasure(unknown, "vc-event")

    assert (await uow.volunteers.get(known)) == Volunteer(known, "vc-own", centrale_confirmed=True)
    assert (await uow.volunteers.get(unknown, lock=True)) == Volunteer(unknown, "vc-event")


async def test_an_update_stores_age_band_and_registration_and_registered_by_finds_them(
    uow: AppreciationUnitOfWork,
) -> None:
    early, late, unregistered = uuid4(), uuid4(), uuid4()
    claimed = await uow.volunteers.claim({early: "vc-a", late: "vc-a", unregistered: "vc-a"}, confirmed=True)
    event_id = uuid4()
    await uow.volunteers.update(
        replace(claimed[early], age_band="18-20", registered_on=date(2024, 3, 1), registration_event_id=event_id)
    )
    await uow.volunteers.update(
        replace(claimed[late], age_band="30-49", registered_on=date(2025, 6, 1), registration_event_id=uuid4())
    )
    await uow.volunteers.update(replace(claimed[unregistered], age_band="67+"))

    stored = await uow.volunteers.get(early)
    assert stored == Volunteer(early, "vc-a", True, "18-20", date(2024, 3, 1), event_id)
    assert await uow.volunteers.registered_by(date(2025, 3, 1)) == [early]
    assert await uow.volunteers.registered_by(date(2025, 6, 1)) == sorted([early, late])
    assert (await uow.volunteers.get(unregistered)) == Volunteer(unregistered, "vc-a", True, "67+")
