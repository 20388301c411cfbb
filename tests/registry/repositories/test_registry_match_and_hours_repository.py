"""MatchRepository and HoursRepository: the behaviour the fake and PostgreSQL share."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from uuid import uuid4

from registry.repositories import HoursChange, Match, Task
from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import NOW, a_centrale, a_match, a_task, an_organisation, some_hours


async def _task(uow: RegistryUnitOfWork) -> Task:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    organisation = an_organisation(centrale.id)
    await uow.organisations.add(organisation)
    task = a_task(centrale.id, organisation.id)
    await uow.tasks.add(task)
    return task


async def _match(uow: RegistryUnitOfWork, **overrides: object) -> Match:
    match = a_match(await _task(uow), uuid4(), **overrides)
    await uow.matches.add(match)
    return match


async def test_a_match_is_stored_once_however_often_it_is_reported(uow: RegistryUnitOfWork) -> None:
    task = await _task(uow)
    match = a_match(task, uuid4())
    assert await uow.matches.add(match) is True
    assert await uow.matches.add(match) is False
    await uow.matches.add(a_match(task, uuid4()))
    assert await uow.matches.count_for_task(task.id) == 2
    assert await uow.matches.count_for_task(uuid4()) == 0


async def test_a_match_is_found_for_either_centrale_and_only_by_its_own_organisation_or_volunteer(
    uow: RegistryUnitOfWork,
) -> None:
    match = await _match(uow, volunteer_centrale_id="vc-elders")
    assert await uow.matches.find(match.id, match.centrale_id) == match
    assert await uow.matches.find(match.id, "vc-elders", volunteer_id=match.volunteer_id) == match
    assert await uow.matches.find(match.id, match.centrale_id, organisation_id=match.organisation_id) == match
    assert await uow.matches.find(match.id, "vc-nowhere") is None
    assert await uow.matches.find(match.id, match.centrale_id, organisation_id=uuid4()) is None
    assert await uow.matches.find(match.id, match.centrale_id, volunteer_id=uuid4()) is None


async def test_a_volunteers_matches_come_oldest_first(uow: RegistryUnitOfWork) -> None:
    volunteer_id = uuid4()
    task = await _task(uow)
    newer = a_match(task, volunteer_id, made_at=NOW)
    older = a_match(task, volunteer_id, made_at=NOW - timedelta(days=9))
    for match in (newer, older, a_match(task, uuid4())):
        await uow.matches.add(match)
    assert await uow.matches.of_volunteer(volunteer_id) == [older, newer]


async def test_hours_read_back_rounded_and_are_found_by_their_organisation_within_the_centrale(
    uow: RegistryUnitOfWork,
) -> None:
    match = await _match(uow)
    hours = some_hours(match, hours=Decimal("1.5"), status="pending", logged_by="volunteer", confirmed_at=None)
    await uow.hours.add(hours)

    stored = await uow.hours.get(hours.id, match.organisation_id, match.centrale_id, lock=True)
    assert stored == hours
    assert stored is not None
    assert str(stored.hours) == "1.50"
    assert await uow.hours.get(hours.id, uuid4(), match.centrale_id) is None
    assert await uow.hours.get(hours.id, match.organisation_id, "vc-nowhere") is None

    await uow.hours.confirm(hours.id, NOW)
    confirmed = await uow.hours.get(hours.id, match.organisation_id, match.centrale_id)
    assert confirmed is not None
    assert (confirmed.status, confirmed.confirmed_at) == ("confirmed", NOW)


async def test_a_volunteers_hours_on_a_day_count_across_matches_pending_or_not(uow: RegistryUnitOfWork) -> None:
    first = await _match(uow)
    second = a_match(await _task(uow), first.volunteer_id)
    await uow.matches.add(second)
    day = date(2026, 11, 20)
    await uow.hours.serialise_volunteer(first.volunteer_id)
    await uow.hours.add(some_hours(first, worked_on=day, hours=Decimal("8")))
    await uow.hours.add(some_hours(second, worked_on=day, hours=Decimal("4.25"), status="pending", confirmed_at=None))
    await uow.hours.add(some_hours(first, worked_on=day + timedelta(days=1), hours=Decimal("3")))

    assert await uow.hours.total_on(first.volunteer_id, day) == Decimal("12.25")
    assert await uow.hours.total_on(first.volunteer_id, day - timedelta(days=1)) == 0
    assert await uow.hours.total_on(uuid4(), day) == 0


async def test_a_volunteers_hours_come_by_day_then_by_when_logged(uow: RegistryUnitOfWork) -> None:
    match = await _match(uow)
    late = some_hours(match, worked_on=date(2026, 11, 2), logged_at=NOW)
    early = some_hours(match, worked_on=date(2026, 11, 2), logged_at=NOW - timedelta(hours=1))
    first = some_hours(match, worked_on=date(2026, 11, 1), logged_at=NOW)
    for hours in (late, early, first):
        await uow.hours.add(hours)
    assert await uow.hours.of_volunteer(match.volunteer_id) == [first, early, late]


async def test_a_saved_entry_keeps_its_new_amount_status_and_moments_and_is_found_by_its_volunteer(
    uow: RegistryUnitOfWork,
) -> None:
    match = await _match(uow)
    hours = some_hours(match, hours=Decimal("8"))
    await uow.hours.add(hours)

    corrected = replace(hours, hours=Decimal("3.25"), corrected_at=NOW + timedelta(days=1))
    await uow.hours.save(corrected)
    assert await uow.hours.get_of_volunteer(hours.id, match.volunteer_id, lock=True) == corrected
    rejected = replace(corrected, status="rejected", rejected_at=NOW + timedelta(days=2))
    await uow.hours.save(rejected)
    assert await uow.hours.get(hours.id, match.organisation_id, match.centrale_id) == rejected
    assert await uow.hours.get_of_volunteer(hours.id, uuid4()) is None


async def test_a_day_total_leaves_out_rejected_entries_and_the_one_asked_to(uow: RegistryUnitOfWork) -> None:
    match = await _match(uow)
    day = date(2026, 11, 20)
    kept = some_hours(match, worked_on=day, hours=Decimal("6"))
    other = some_hours(match, worked_on=day, hours=Decimal("2"))
    rejected = some_hours(match, worked_on=day, hours=Decimal("9"), status="rejected", rejected_at=NOW)
    for hours in (kept, other, rejected):
        await uow.hours.add(hours)

    assert await uow.hours.total_on(match.volunteer_id, day) == Decimal("8.00")
    assert await uow.hours.total_on(match.volunteer_id, day, excluding=kept.id) == Decimal("2.00")


async def test_an_organisations_entries_come_newest_day_first_of_one_status_when_asked(
    uow: RegistryUnitOfWork,
) -> None:
    match = await _match(uow)
    older = some_hours(match, worked_on=date(2026, 11, 1))
    newer = some_hours(match, worked_on=date(2026, 11, 9), status="pending", logged_by="volunteer", confirmed_at=None)
    for hours in (older, newer):
        await uow.hours.add(hours)
    other_organisations = await _match(uow)
    await uow.hours.add(some_hours(other_organisations))

    assert await uow.hours.of_organisation(match.organisation_id, match.centrale_id) == [newer, older]
    assert await uow.hours.of_organisation(match.organisation_id, match.centrale_id, "pending") == [newer]
    assert await uow.hours.of_organisation(match.organisation_id, "vc-nowhere") == []


async def test_rejections_and_corrections_are_kept_with_their_reasons_oldest_first(uow: RegistryUnitOfWork) -> None:
    match = await _match(uow)
    hours = some_hours(match, hours=Decimal("8"))
    await uow.hours.add(hours)
    corrected = HoursChange(
        uuid4(), hours.id, match.volunteer_id, "corrected", Decimal("8.00"), Decimal("3.00"), "typing_error",
        "Tikfout.", "organisation", "credential:1", NOW,
    )  # fmt: skip
    rejected = HoursChange(
        uuid4(), hours.id, match.volunteer_id, "rejected", Decimal("3.00"), None, "not_worked", None, "organisation",
        "credential:1", NOW + timedelta(hours=1),
    )  # fmt: skip
    for change in (rejected, corrected):
        await uow.hours.add_change(change)

    assert await uow.hours.changes_of([hours.id, uuid4()]) == [corrected, rejected]
    assert await uow.hours.changes_of([]) == []


async def test_an_organisations_hours_come_waiting_first_then_newest_and_never_another_centrales(
    uow: RegistryUnitOfWork,
) -> None:
    match = await _match(uow)
    old = some_hours(match, worked_on=date(2026, 10, 1))
    new = some_hours(match, worked_on=date(2026, 11, 1))
    waiting = some_hours(match, worked_on=date(2026, 9, 1), status="pending", confirmed_at=None, logged_by="volunteer")
    elsewhere = await _match(uow)
    for hours in (old, new, waiting, some_hours(elsewhere)):
        await uow.hours.add(hours)

    assert await uow.hours.of_organisation(match.organisation_id, match.centrale_id, limit=10) == [waiting, new, old]
    assert await uow.hours.of_organisation(match.organisation_id, match.centrale_id, limit=2) == [waiting, new]
    assert await uow.hours.of_organisation(match.organisation_id, "vc-nowhere", limit=10) == []
