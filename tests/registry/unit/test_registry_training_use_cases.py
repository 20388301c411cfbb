"""The kennisfunctie on the fakes: trainings, bookings with a waiting list, reminders, attendance, the record."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest

from common.clock import ManualClock
from common.errors import Conflict, NotFound, Rejected
from contracts.events import TrainingAttendanceRecorded, TrainingCancelled, TrainingScheduled, TrainingUpdated
from registry.repositories import Booking
from registry.training_rules import Audience, TrainingKind
from registry.use_cases import trainings, volunteers
from registry.use_cases.notices import PrepareNotices, prepare_notices
from registry.use_cases.trainings import (
    book,
    cancel_booking,
    cancel_training,
    get_training,
    list_bookings,
    list_trainings,
    record_attendance,
    remind_participants,
    schedule_training,
    update_training,
)
from registry.use_cases.volunteers import export_volunteer, get_volunteer
from tests.registry.builders import NOW, a_centrale, a_volunteer, an_organisation
from tests.registry.fakes import FakeRegistryUnitOfWork

START = NOW + timedelta(days=7)


@dataclass
class Centrale:
    """A centrale with three volunteers (e-mail, no consent to bemiddeling) and an admitted organisation."""

    id: str
    volunteers: list[UUID]
    organisation_id: UUID


@pytest.fixture
async def centrale(uow: FakeRegistryUnitOfWork) -> Centrale:
    record = a_centrale()
    await uow.centrales.add(record)
    people = [a_volunteer(record.id) for _ in range(3)]
    for person in people:
        await uow.volunteers.add(person)
    organisation = an_organisation(record.id)
    await uow.organisations.add(organisation)
    return Centrale(record.id, [p.id for p in people], organisation.id)


def _fields(**overrides: Any) -> trainings.TrainingFields:
    values: dict[str, Any] = {
        "title": "Omgaan met dementie",
        "description": "Een avond over het contact met mensen met dementie.",
        "kind": TrainingKind.TRAINING,
        "audience": Audience.BOTH,
        "sessions": [
            (START + timedelta(days=7), START + timedelta(days=7, hours=2)),
            (START, START + timedelta(hours=2)),
        ],
        "place": "Buurthuis De Linde",
        "capacity": 2,
        "theme": "zorg",
        "postcode_area": "3511",
    }
    return trainings.TrainingFields(**(values | overrides))


async def _training(uow: FakeRegistryUnitOfWork, centrale: Centrale, **overrides: Any) -> UUID:
    return await schedule_training(trainings.ScheduleTraining(centrale.id, _fields(**overrides), "staff"), uow)


def _volunteer_books(centrale: Centrale, training_id: UUID, n: int) -> trainings.Book:
    return trainings.Book(centrale.id, training_id, centrale.volunteers[n], None, 1, "self")


@pytest.fixture
def booked_later(uow: FakeRegistryUnitOfWork, clock: ManualClock) -> Callable[[trainings.Book], Awaitable[Booking]]:
    """Book as a request a minute after the previous one would (one request, one moment)."""

    async def booked(cmd: trainings.Book) -> Booking:
        clock.advance(timedelta(minutes=1))
        uow.renew()
        return await book(cmd, uow)

    return booked


Book = Callable[[trainings.Book], Awaitable[Booking]]


async def test_a_training_goes_out_with_its_title_and_meetings_in_order(
    uow: FakeRegistryUnitOfWork, centrale: Centrale
) -> None:
    training_id = await _training(uow, centrale)
    [scheduled] = uow.events(TrainingScheduled)
    assert isinstance(scheduled, TrainingScheduled)
    assert (scheduled.training_id, scheduled.title, scheduled.audience, scheduled.capacity) == (
        training_id,
        "Omgaan met dementie",
        "both",
        2,
    )
    assert [s.starts_at for s in scheduled.sessions] == [START, START + timedelta(days=7)]
    assert "contact met mensen" not in scheduled.model_dump_json()  # the description stays in the registry

    with pytest.raises(Rejected) as refused:
        await _training(uow, centrale, sessions=[(NOW - timedelta(hours=1), NOW + timedelta(hours=1))])
    assert (refused.value.field, refused.value.reasons) == ("sessions", ["the first meeting lies in the past"])


async def test_a_full_training_puts_bookings_on_the_waiting_list(
    uow: FakeRegistryUnitOfWork, centrale: Centrale, booked_later: Book
) -> None:
    training_id = await _training(uow, centrale)
    statuses = [(await booked_later(_volunteer_books(centrale, training_id, n))).status for n in range(3)]
    assert statuses == ["booked", "booked", "waiting"]
    with pytest.raises(Conflict, match="already booked"):
        await booked_later(_volunteer_books(centrale, training_id, 2))
    shown = await get_training(trainings.GetTraining(centrale.id, training_id, with_bookings=True), uow)
    assert (shown["seats_taken"], shown["seats_left"], shown["waiting"]) == (2, 0, 1)
    assert [b["waiting_position"] for b in shown["bookings"]] == [None, None, 1]
    assert shown["bookings"][0]["who"].startswith("Naam ")


async def test_a_cancelled_place_goes_to_the_first_who_waits_and_they_hear_of_it(
    uow: FakeRegistryUnitOfWork, centrale: Centrale, booked_later: Book
) -> None:
    training_id = await _training(uow, centrale)
    first = await booked_later(_volunteer_books(centrale, training_id, 0))
    await booked_later(_volunteer_books(centrale, training_id, 1))
    waiting = await booked_later(_volunteer_books(centrale, training_id, 2))

    with pytest.raises(NotFound):  # someone else's booking
        await cancel_booking(
            trainings.CancelBooking(centrale.id, training_id, first.id, centrale.volunteers[1], "other"), uow
        )
    moved = await cancel_booking(
        trainings.CancelBooking(centrale.id, training_id, first.id, centrale.volunteers[0], "self"), uow
    )
    assert moved == [waiting.id]
    [notice] = uow.tables.notices.values()
    # A booking rests on the booking itself: no consent to bemiddeling is needed to hear about it.
    assert (notice.kind, notice.recipient_id, notice.training_id, notice.status) == (
        "training_place",
        centrale.volunteers[2],
        training_id,
        "pending",
    )


async def test_seats_go_in_order_to_whoever_fits_so_none_stays_empty(
    uow: FakeRegistryUnitOfWork, centrale: Centrale, booked_later: Book
) -> None:
    training_id = await _training(uow, centrale, capacity=3)
    first = await booked_later(_volunteer_books(centrale, training_id, 0))
    await booked_later(_volunteer_books(centrale, training_id, 1))
    organisation = await booked_later(
        trainings.Book(centrale.id, training_id, None, centrale.organisation_id, 2, "account:org")
    )
    volunteer = await booked_later(_volunteer_books(centrale, training_id, 2))
    assert (organisation.status, volunteer.status) == ("waiting", "booked")  # one seat was left: the volunteer fits

    moved = await cancel_booking(trainings.CancelBooking(centrale.id, training_id, first.id, None, "staff"), uow)
    assert moved == []  # one seat free again; the organisation needs two
    moved = await update_training(trainings.UpdateTraining(centrale.id, training_id, _fields(capacity=4)), uow)
    assert moved == [organisation.id]
    [updated] = uow.events(TrainingUpdated)
    assert isinstance(updated, TrainingUpdated)
    assert updated.capacity == 4
    with pytest.raises(Rejected) as refused:
        await update_training(trainings.UpdateTraining(centrale.id, training_id, _fields(capacity=3)), uow)
    assert (refused.value.field, refused.value.reasons) == ("capacity", ["4 seats are booked: cancel bookings first"])


async def test_a_training_is_for_its_audience_only(
    uow: FakeRegistryUnitOfWork, centrale: Centrale, booked_later: Book
) -> None:
    for_organisations = await _training(uow, centrale, audience=Audience.ORGANISATIONS)
    with pytest.raises(NotFound):
        await booked_later(_volunteer_books(centrale, for_organisations, 0))
    with pytest.raises(NotFound):
        await get_training(trainings.GetTraining(centrale.id, for_organisations, False, (Audience.VOLUNTEERS,)), uow)
    listed = await list_trainings(trainings.ListTrainings(centrale.id, (Audience.VOLUNTEERS,)), uow)
    assert listed == []
    listed = await list_trainings(trainings.ListTrainings(centrale.id, (Audience.ORGANISATIONS,)), uow)
    assert [t["id"] for t in listed] == [for_organisations]


async def test_reminders_go_once_to_booked_places_of_trainings_starting_soon(
    uow: FakeRegistryUnitOfWork, centrale: Centrale, clock: ManualClock, booked_later: Book
) -> None:
    training_id = await _training(uow, centrale)
    for n in range(3):
        await booked_later(_volunteer_books(centrale, training_id, n))
    within = trainings.RemindParticipants(timedelta(days=2))
    assert await remind_participants(within, uow) == {"reminded": 0}
    clock.set(START - timedelta(days=1))
    uow.renew()
    assert await remind_participants(within, uow) == {"reminded": 2}  # not the one who waits
    assert await remind_participants(within, uow) == {"reminded": 0}
    assert sorted(n.recipient_id for n in uow.tables.notices.values() if n.kind == "training_reminder") == sorted(
        centrale.volunteers[:2]
    )


async def test_attendance_is_recorded_after_the_start_and_goes_out_per_booking(
    uow: FakeRegistryUnitOfWork, centrale: Centrale, clock: ManualClock, booked_later: Book
) -> None:
    training_id = await _training(uow, centrale, capacity=4)
    came = await booked_later(_volunteer_books(centrale, training_id, 0))
    stayed_away = await booked_later(_volunteer_books(centrale, training_id, 1))
    seats = await booked_later(
        trainings.Book(centrale.id, training_id, None, centrale.organisation_id, 2, "account:org")
    )
    entries = [
        trainings.AttendanceEntry(came.id, True),
        trainings.AttendanceEntry(stayed_away.id, False),
        trainings.AttendanceEntry(seats.id, True, 1),
    ]
    record = trainings.RecordAttendance(centrale.id, training_id, entries, "account:staff")
    with pytest.raises(Conflict, match="not started"):
        await record_attendance(record, uow)
    clock.set(START + timedelta(minutes=30))
    uow.renew()
    with pytest.raises(Rejected) as refused:
        await record_attendance(
            trainings.RecordAttendance(centrale.id, training_id, [trainings.AttendanceEntry(seats.id, True, 3)], "s"),
            uow,
        )
    assert refused.value.reasons == [f"booking {seats.id} has 2 seats"]

    assert await record_attendance(record, uow) == 3
    recorded = uow.events(TrainingAttendanceRecorded)
    assert [
        (e.booking_id, e.audience, e.volunteer_id, e.organisation_id, e.participants, e.attended, e.attended_on)
        for e in recorded
        if isinstance(e, TrainingAttendanceRecorded)
    ] == [
        (came.id, "volunteers", centrale.volunteers[0], None, 1, True, START.date()),
        (stayed_away.id, "volunteers", centrale.volunteers[1], None, 0, False, START.date()),
        (seats.id, "organisations", None, centrale.organisation_id, 1, True, START.date()),
    ]


async def test_a_cancelled_training_tells_everyone_booked_or_waiting(
    uow: FakeRegistryUnitOfWork, centrale: Centrale, booked_later: Book
) -> None:
    training_id = await _training(uow, centrale)
    for n in range(3):
        await booked_later(_volunteer_books(centrale, training_id, n))
    told = await cancel_training(trainings.CancelTraining(centrale.id, training_id), uow)
    assert told == 3
    [cancelled] = uow.events(TrainingCancelled)
    assert isinstance(cancelled, TrainingCancelled)
    assert cancelled.training_id == training_id
    with pytest.raises(Conflict, match="cancelled"):
        await booked_later(_volunteer_books(centrale, training_id, 0))


async def test_trainings_booked_and_followed_are_on_the_volunteers_record_and_export(
    uow: FakeRegistryUnitOfWork, centrale: Centrale, clock: ManualClock, booked_later: Book
) -> None:
    training_id = await _training(uow, centrale)
    booking = await booked_later(_volunteer_books(centrale, training_id, 0))
    clock.set(START + timedelta(hours=1))
    uow.renew()
    await record_attendance(
        trainings.RecordAttendance(centrale.id, training_id, [trainings.AttendanceEntry(booking.id, True)], "s"), uow
    )
    record = await get_volunteer(volunteers.GetVolunteer(centrale.volunteers[0], centrale.id), uow)
    [followed] = record["trainings"]
    assert (followed["training_id"], followed["title"], followed["status"], followed["attended"]) == (
        training_id,
        "Omgaan met dementie",
        "booked",
        True,
    )
    export = await export_volunteer(volunteers.ExportVolunteer(centrale.volunteers[0], centrale.id), uow)
    assert export["volunteer"]["trainings"] == record["trainings"]
    mine = await list_bookings(trainings.ListBookings("volunteer", centrale.volunteers[0], centrale.id), uow)
    assert [(b["id"], b["place"]) for b in mine] == [(booking.id, "Buurthuis De Linde")]


async def test_a_training_notice_names_the_training_its_day_and_place(
    uow: FakeRegistryUnitOfWork, centrale: Centrale, booked_later: Book
) -> None:
    training_id = await _training(uow, centrale, capacity=1)
    first = await booked_later(_volunteer_books(centrale, training_id, 0))
    await booked_later(_volunteer_books(centrale, training_id, 1))
    await cancel_booking(trainings.CancelBooking(centrale.id, training_id, first.id, None, "staff"), uow)
    mail = await prepare_notices(
        PrepareNotices(list(uow.tables.notices.values()), True, "https://portaal.example"), uow
    )
    assert mail is not None
    assert mail.subject == "Er is plaats voor je: Omgaan met dementie"
    assert "bij Omgaan met dementie op 29 november 2026 om 11:00 (Buurthuis De Linde)" in mail.text
    assert f"https://portaal.example/trainingen/{training_id}" in mail.text
