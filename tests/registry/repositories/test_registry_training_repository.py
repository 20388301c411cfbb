"""TrainingRepository: the behaviour the fake and PostgreSQL share."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import NOW, a_centrale, a_volunteer, an_organisation
from tests.registry.builders_programmes import a_booking, a_training


async def _centrale(uow: RegistryUnitOfWork) -> str:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    return centrale.id


async def test_a_training_reads_back_with_its_meetings_and_changes_only_the_columns_named(
    uow: RegistryUnitOfWork,
) -> None:
    centrale_id = await _centrale(uow)
    training = a_training(centrale_id)
    await uow.trainings.add(training)
    assert await uow.trainings.get(training.id, centrale_id) == training
    assert await uow.trainings.get(training.id, "vc-elders") is None

    changed = replace(training, capacity=20, title="not stored", status="cancelled", cancelled_at=NOW)
    await uow.trainings.update(changed, ["capacity", "status", "cancelled_at"])
    assert await uow.trainings.get(training.id, centrale_id, lock=True) == replace(
        training, capacity=20, status="cancelled", cancelled_at=NOW
    )


async def test_the_trainings_of_a_centrale_for_some_audiences_not_over_soonest_first(uow: RegistryUnitOfWork) -> None:
    centrale_id = await _centrale(uow)
    later = a_training(centrale_id, starts_at=NOW + timedelta(days=20))
    sooner = a_training(centrale_id, starts_at=NOW + timedelta(days=3), audience="both")
    for_organisations = a_training(centrale_id, audience="organisations")
    over = a_training(centrale_id, starts_at=NOW - timedelta(days=3))
    for training in (later, sooner, for_organisations, over):
        await uow.trainings.add(training)
    await uow.trainings.add(a_training(await _centrale(uow)))

    listed = await uow.trainings.of_centrale(centrale_id, ["volunteers", "both"], NOW)
    assert [t.id for t in listed] == [sooner.id, later.id]
    everything = await uow.trainings.of_centrale(
        centrale_id, ["volunteers", "organisations", "both"], NOW - timedelta(days=30)
    )
    assert [t.id for t in everything] == [over.id, sooner.id, for_organisations.id, later.id]


async def test_one_live_booking_per_volunteer_or_organisation_and_training(uow: RegistryUnitOfWork) -> None:
    centrale_id = await _centrale(uow)
    volunteer = a_volunteer(centrale_id)
    await uow.volunteers.add(volunteer)
    organisation = an_organisation(centrale_id)
    await uow.organisations.add(organisation)
    training, other = a_training(centrale_id), a_training(centrale_id)
    await uow.trainings.add(training)
    await uow.trainings.add(other)

    first = a_booking(training, volunteer_id=volunteer.id)
    assert await uow.trainings.add_booking(first) is True
    assert await uow.trainings.add_booking(a_booking(training, volunteer_id=volunteer.id, status="waiting")) is False
    assert await uow.trainings.add_booking(a_booking(other, volunteer_id=volunteer.id)) is True
    seats = a_booking(training, organisation_id=organisation.id, seats=3)
    assert await uow.trainings.add_booking(seats) is True
    assert await uow.trainings.add_booking(a_booking(training, organisation_id=organisation.id)) is False

    await uow.trainings.update_booking(replace(first, status="cancelled", cancelled_at=NOW), ["status", "cancelled_at"])
    again = a_booking(training, volunteer_id=volunteer.id, booked_at=NOW + timedelta(minutes=5))
    assert await uow.trainings.add_booking(again) is True

    assert [b.id for b in await uow.trainings.bookings(training.id)] == [*sorted([first.id, seats.id]), again.id]
    assert await uow.trainings.get_booking(seats.id, training.id) == seats
    assert await uow.trainings.get_booking(seats.id, other.id) is None
    newest_first = await uow.trainings.bookings_of_volunteer(volunteer.id)
    assert (len(newest_first), newest_first[0].id) == (3, again.id)
    assert [b.id for b in await uow.trainings.bookings_of_organisation(organisation.id)] == [seats.id]


async def test_reminders_are_due_for_booked_places_of_scheduled_trainings_starting_soon(
    uow: RegistryUnitOfWork,
) -> None:
    centrale_id = await _centrale(uow)
    volunteers = [a_volunteer(centrale_id) for _ in range(4)]
    for volunteer in volunteers:
        await uow.volunteers.add(volunteer)
    soon = a_training(centrale_id, starts_at=NOW + timedelta(days=1))
    far = a_training(centrale_id, starts_at=NOW + timedelta(days=5))
    cancelled = a_training(centrale_id, starts_at=NOW + timedelta(days=1), status="cancelled")
    for training in (soon, far, cancelled):
        await uow.trainings.add(training)
    due = a_booking(soon, volunteer_id=volunteers[0].id)
    bookings = [
        due,
        a_booking(soon, volunteer_id=volunteers[1].id, status="waiting"),
        a_booking(soon, volunteer_id=volunteers[2].id, reminded_at=NOW),
        a_booking(far, volunteer_id=volunteers[0].id),
        a_booking(cancelled, volunteer_id=volunteers[3].id),
    ]
    for booking in bookings:
        await uow.trainings.add_booking(booking)

    assert await uow.trainings.reminders_due(NOW, NOW + timedelta(days=2)) == [due]
    assert await uow.trainings.reminders_due(NOW + timedelta(days=1), NOW + timedelta(days=3)) == []
