"""The kennisfunctie: trainings and advice sessions a centrale offers to volunteers and organisations, bookings with
a waiting list, reminders, and attendance recorded by staff (which appreciation prints on the certificate).

Bookings of one training take turns on the training's row (locked), so two bookings at the same moment never
take more seats than there are. Volunteers book for themselves, organisations for their people, staff for either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Literal
from uuid import UUID, uuid4

from common.errors import Conflict, NotFound, Rejected
from contracts.events import (
    TrainingAttendanceRecorded,
    TrainingCancelled,
    TrainingScheduled,
    TrainingSession,
    TrainingUpdated,
)
from registry.domain import dutch_date
from registry.notice_texts import NoticeKind
from registry.repositories import Booking, Training
from registry.training_rules import Audience, BookingStatus, TrainingKind, TrainingStatus, for_audience, move_up
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases.notices import queue_notice

__all__ = [
    "AttendanceEntry",
    "Book",
    "CancelBooking",
    "CancelTraining",
    "GetTraining",
    "ListBookings",
    "ListTrainings",
    "RecordAttendance",
    "RemindParticipants",
    "ScheduleTraining",
    "TrainingFields",
    "UpdateTraining",
    "book",
    "cancel_booking",
    "cancel_training",
    "get_training",
    "list_bookings",
    "list_trainings",
    "record_attendance",
    "remind_participants",
    "schedule_training",
    "trainings_of_volunteer",
    "update_training",
]


@dataclass(frozen=True)
class TrainingFields:
    """What a training is: title and description, kind, audience, its meetings, place and seats."""

    title: str
    description: str
    kind: TrainingKind
    audience: Audience
    sessions: Sequence[tuple[datetime, datetime]]
    place: str
    capacity: int
    theme: str | None = None
    postcode_area: str | None = None


@dataclass(frozen=True)
class ScheduleTraining:
    """Staff publish a training of their centrale."""

    centrale_id: str
    fields: TrainingFields
    by: str


@dataclass(frozen=True)
class UpdateTraining:
    """Staff change a training that has not started; more seats move people up from the waiting list."""

    centrale_id: str
    training_id: UUID
    fields: TrainingFields


@dataclass(frozen=True)
class CancelTraining:
    """Staff cancel a training: everyone booked or waiting hears of it."""

    centrale_id: str
    training_id: UUID


@dataclass(frozen=True)
class ListTrainings:
    """The centrale's trainings for some audiences, not over yet (or every one, ``include_past``)."""

    centrale_id: str
    audiences: Sequence[Audience]
    include_past: bool = False


@dataclass(frozen=True)
class GetTraining:
    """One training; for staff with its bookings (who, seats, waiting, attended)."""

    centrale_id: str
    training_id: UUID
    with_bookings: bool
    audiences: Sequence[Audience] = (Audience.VOLUNTEERS, Audience.ORGANISATIONS, Audience.BOTH)


@dataclass(frozen=True)
class Book:
    """A volunteer (one seat) or an organisation (``seats`` for its people) books a place; ``by``: who did it."""

    centrale_id: str
    training_id: UUID
    volunteer_id: UUID | None
    organisation_id: UUID | None
    seats: int
    by: str


@dataclass(frozen=True)
class CancelBooking:
    """The one who booked (``owner``: the volunteer or organisation; None for staff) cancels a place."""

    centrale_id: str
    training_id: UUID
    booking_id: UUID
    owner: UUID | None
    by: str


@dataclass(frozen=True)
class AttendanceEntry:
    """Whether one booking's people came; ``participants``: how many of an organisation's seats (default all)."""

    booking_id: UUID
    attended: bool
    participants: int | None = None


@dataclass(frozen=True)
class RecordAttendance:
    """Staff record who attended (again, to correct it): once the training has started."""

    centrale_id: str
    training_id: UUID
    entries: Sequence[AttendanceEntry]
    by: str


@dataclass(frozen=True)
class ListBookings:
    """A volunteer's or an organisation's bookings, newest first, with their trainings."""

    kind: Literal["volunteer", "organisation"]
    owner_id: UUID
    centrale_id: str
    """Only bookings of this centrale (an organisation's id is looked at within its centrale only)."""


@dataclass(frozen=True)
class RemindParticipants:
    """Remind everyone booked for a training starting within ``within`` (the ``training-reminders`` job)."""

    within: timedelta


# -- the trainings ---------------------------------------------------------------------------------------------


def _sessions(fields: TrainingFields, now: datetime) -> list[tuple[datetime, datetime]]:
    """The meetings in order; Rejected when one ends before it starts or the first lies in the past."""
    sessions = sorted(fields.sessions)
    if not sessions:
        raise Rejected(["a training meets at least once"], field="sessions")
    reasons = [f"meeting {n} ends before it starts" for n, (s, e) in enumerate(sessions, start=1) if e <= s]
    if sessions[0][0] <= now:
        reasons.append("the first meeting lies in the past")
    if reasons:
        raise Rejected(reasons, field="sessions")
    return sessions


def _stored_sessions(sessions: Sequence[tuple[datetime, datetime]]) -> list[dict[str, str]]:
    return [{"starts_at": start.isoformat(), "ends_at": end.isoformat()} for start, end in sessions]


def _event_sessions(training: Training) -> list[TrainingSession]:
    return [
        TrainingSession(starts_at=datetime.fromisoformat(s["starts_at"]), ends_at=datetime.fromisoformat(s["ends_at"]))
        for s in training.sessions
    ]


def _facts(training: Training) -> dict[str, Any]:
    """What ``TrainingScheduled`` and ``TrainingUpdated`` carry."""
    return {
        "training_id": training.id,
        "centrale_id": training.centrale_id,
        "title": training.title,
        "kind": training.kind,
        "audience": training.audience,
        "theme": training.theme,
        "sessions": _event_sessions(training),
        "capacity": training.capacity,
        "postcode_area": training.postcode_area,
    }


async def schedule_training(cmd: ScheduleTraining, uow: RegistryUnitOfWork) -> UUID:
    """Store the training and queue ``TrainingScheduled``; Rejected for meetings out of order or in the past."""
    if not await uow.centrales.exists(cmd.centrale_id):
        raise NotFound(f"centrale {cmd.centrale_id} not found")
    sessions = _sessions(cmd.fields, uow.now())
    fields = cmd.fields
    training = Training(
        id=uuid4(),
        centrale_id=cmd.centrale_id,
        title=fields.title,
        description=fields.description,
        kind=fields.kind.value,
        audience=fields.audience.value,
        sessions=_stored_sessions(sessions),
        starts_at=sessions[0][0],
        ends_at=max(end for _, end in sessions),
        place=fields.place,
        capacity=fields.capacity,
        status=TrainingStatus.SCHEDULED.value,
        created_at=uow.now(),
        created_by=cmd.by,
        updated_at=uow.now(),
        theme=fields.theme,
        postcode_area=fields.postcode_area,
    )
    await uow.trainings.add(training)
    await uow.emit(TrainingScheduled(**_facts(training), scheduled_at=uow.now()), tenant=training.centrale_id)
    return training.id


async def _training(uow: RegistryUnitOfWork, centrale_id: str, training_id: UUID, *, lock: bool = False) -> Training:
    training = await uow.trainings.get(training_id, centrale_id, lock=lock)
    if training is None:
        raise NotFound(f"training {training_id} not found")
    return training


def _taken(bookings: Sequence[Booking]) -> int:
    return sum(b.seats for b in bookings if b.status == BookingStatus.BOOKED)


async def _move_up(uow: RegistryUnitOfWork, training: Training, bookings: Sequence[Booking]) -> list[Booking]:
    """Give free seats to the waiting list, in the order it was joined; each moved up is told by a notice."""
    waiting = [b for b in bookings if b.status == BookingStatus.WAITING]
    placed_ids = move_up(training.capacity, _taken(bookings), [(b.id, b.seats) for b in waiting])
    placed = []
    for booking in waiting:
        if booking.id not in placed_ids:
            continue
        booking = replace(booking, status=BookingStatus.BOOKED.value, placed_at=uow.now())
        await uow.trainings.update_booking(booking, ["status", "placed_at"])
        await _tell(uow, booking, NoticeKind.TRAINING_PLACE, f"training-place:{booking.id}")
        placed.append(booking)
    return placed


async def _tell(uow: RegistryUnitOfWork, booking: Booking, kind: NoticeKind, cause: str) -> bool:
    """Queue a notice about the training to whoever made the booking; whether it is new."""
    recipient_id = booking.volunteer_id or booking.organisation_id
    assert recipient_id is not None, "a booking is a volunteer's or an organisation's"
    queued = await queue_notice(
        uow,
        kind=kind,
        recipient_kind="volunteer" if booking.volunteer_id is not None else "organisation",
        recipient_id=recipient_id,
        centrale_id=booking.centrale_id,
        cause=cause,
        training_id=booking.training_id,
    )
    return queued is not None


async def update_training(cmd: UpdateTraining, uow: RegistryUnitOfWork) -> list[UUID]:
    """Change the training and queue ``TrainingUpdated``; the bookings moved up from the waiting list, by id.

    Conflict once it started or was cancelled; Rejected when fewer seats remain than are booked.
    """
    training = await _training(uow, cmd.centrale_id, cmd.training_id, lock=True)
    if training.status == TrainingStatus.CANCELLED:
        raise Conflict("the training is cancelled")
    if training.starts_at <= uow.now():
        raise Conflict("the training has started: it can no longer change")
    sessions = _sessions(cmd.fields, uow.now())
    bookings = await uow.trainings.bookings(training.id)
    if cmd.fields.capacity < _taken(bookings):
        raise Rejected([f"{_taken(bookings)} seats are booked: cancel bookings first"], field="capacity")
    fields = cmd.fields
    training = replace(
        training,
        title=fields.title,
        description=fields.description,
        kind=fields.kind.value,
        audience=fields.audience.value,
        sessions=_stored_sessions(sessions),
        starts_at=sessions[0][0],
        ends_at=max(end for _, end in sessions),
        place=fields.place,
        capacity=fields.capacity,
        theme=fields.theme,
        postcode_area=fields.postcode_area,
        updated_at=uow.now(),
    )
    columns = ["title", "description", "kind", "audience", "sessions", "starts_at", "ends_at", "place", "capacity"]
    await uow.trainings.update(training, [*columns, "theme", "postcode_area", "updated_at"])
    await uow.emit(TrainingUpdated(**_facts(training), updated_at=uow.now()), tenant=training.centrale_id)
    return [b.id for b in await _move_up(uow, training, bookings)]


async def cancel_training(cmd: CancelTraining, uow: RegistryUnitOfWork) -> int:
    """Cancel the training, queue ``TrainingCancelled`` and tell everyone booked or waiting; how many were told."""
    training = await _training(uow, cmd.centrale_id, cmd.training_id, lock=True)
    if training.status == TrainingStatus.CANCELLED:
        raise Conflict("the training is cancelled already")
    if training.starts_at <= uow.now():
        raise Conflict("the training has started: record who came instead")
    training = replace(training, status=TrainingStatus.CANCELLED.value, cancelled_at=uow.now())
    await uow.trainings.update(training, ["status", "cancelled_at"])
    await uow.emit(
        TrainingCancelled(training_id=training.id, centrale_id=training.centrale_id, cancelled_at=uow.now()),
        tenant=training.centrale_id,
    )
    told = 0
    for booking in await uow.trainings.bookings(training.id):
        if booking.status != BookingStatus.CANCELLED:
            told += await _tell(uow, booking, NoticeKind.TRAINING_CANCELLED, f"training-cancelled:{training.id}")
    return told


def _summary(training: Training, bookings: Sequence[Booking]) -> dict[str, Any]:
    live = [b for b in bookings if b.status != BookingStatus.CANCELLED]
    taken = _taken(live)
    return {
        "id": training.id,
        "title": training.title,
        "description": training.description,
        "kind": training.kind,
        "audience": training.audience,
        "theme": training.theme,
        "sessions": training.sessions,
        "starts_at": training.starts_at,
        "ends_at": training.ends_at,
        "place": training.place,
        "postcode_area": training.postcode_area,
        "capacity": training.capacity,
        "seats_taken": taken,
        "seats_left": max(training.capacity - taken, 0),
        "waiting": sum(1 for b in live if b.status == BookingStatus.WAITING),
        "status": training.status,
    }


async def list_trainings(query: ListTrainings, uow: RegistryUnitOfWork) -> list[dict[str, Any]]:
    """The trainings with seats taken and left and how many wait, soonest first."""
    audiences = {a.value for a in query.audiences} | {Audience.BOTH.value}
    ending_after = datetime.min.replace(tzinfo=uow.now().tzinfo) if query.include_past else uow.now()
    trainings = await uow.trainings.of_centrale(query.centrale_id, sorted(audiences), ending_after)
    return [_summary(t, await uow.trainings.bookings(t.id)) for t in trainings]


async def get_training(query: GetTraining, uow: RegistryUnitOfWork) -> dict[str, Any]:
    """The training (NotFound when it is not for the caller's audience); for staff, its bookings and who they are."""
    training = await _training(uow, query.centrale_id, query.training_id)
    if training.audience not in {a.value for a in query.audiences} | {Audience.BOTH.value}:
        raise NotFound(f"training {query.training_id} not found")
    bookings = await uow.trainings.bookings(training.id)
    shown = _summary(training, bookings)
    if not query.with_bookings:
        return shown
    listed = []
    position = 0
    for booking in bookings:
        position += booking.status == BookingStatus.WAITING
        listed.append(
            {
                **_booking(booking),
                "who": await _who(uow, booking),
                "waiting_position": position if booking.status == BookingStatus.WAITING else None,
            }
        )
    return shown | {"bookings": listed}


def _booking(booking: Booking) -> dict[str, Any]:
    return {
        "id": booking.id,
        "training_id": booking.training_id,
        "volunteer_id": booking.volunteer_id,
        "organisation_id": booking.organisation_id,
        "seats": booking.seats,
        "status": booking.status,
        "booked_at": booking.booked_at,
        "placed_at": booking.placed_at,
        "attended": booking.attended,
        "participants_attended": booking.participants_attended,
    }


async def _who(uow: RegistryUnitOfWork, booking: Booking) -> str | None:
    """The volunteer's or organisation's name, for the staff's attendance list (None once a volunteer is erased)."""
    if booking.organisation_id is not None:
        organisation = await uow.organisations.get(booking.organisation_id, booking.centrale_id)
        return organisation.name if organisation else None
    assert booking.volunteer_id is not None, "a booking is a volunteer's or an organisation's"
    volunteer = await uow.volunteers.get(booking.volunteer_id)
    return volunteer.name if volunteer is not None else None


# -- bookings -------------------------------------------------------------------------------------------------


async def book(cmd: Book, uow: RegistryUnitOfWork) -> Booking:
    """Book seats: ``booked`` while they are free, else ``waiting``; Conflict for a second live booking, a training
    that started or was cancelled; NotFound when it is not for the booker's audience."""
    training = await _training(uow, cmd.centrale_id, cmd.training_id, lock=True)
    who = Audience.VOLUNTEERS if cmd.volunteer_id is not None else Audience.ORGANISATIONS
    if not for_audience(training.audience, who):
        raise NotFound(f"training {cmd.training_id} not found")
    if training.status == TrainingStatus.CANCELLED:
        raise Conflict("the training is cancelled")
    if training.starts_at <= uow.now():
        raise Conflict("the training has started: booking is closed")
    if cmd.volunteer_id is not None:
        volunteer = await uow.volunteers.get_active(cmd.volunteer_id, cmd.centrale_id)
        if volunteer is None:
            raise NotFound(f"volunteer {cmd.volunteer_id} not found")
        if cmd.seats != 1:
            raise Rejected(["a volunteer books one seat"], field="seats")
    else:
        assert cmd.organisation_id is not None, "a booking is a volunteer's or an organisation's"
        organisation = await uow.organisations.get(cmd.organisation_id, cmd.centrale_id)
        if organisation is None:
            raise NotFound(f"organisation {cmd.organisation_id} not found")
        if organisation.status != "admitted":
            raise Conflict("the organisation is not admitted by the centrale yet")
        if cmd.seats > training.capacity:
            raise Rejected([f"the training has {training.capacity} seats"], field="seats")
    # Every change gives free seats to the waiting list at once, so nobody waiting fits now: a new booking
    # takes seats when they are free, as ``move_up`` would have given them.
    fits = _taken(await uow.trainings.bookings(training.id)) + cmd.seats <= training.capacity
    booking = Booking(
        id=uuid4(),
        training_id=training.id,
        centrale_id=training.centrale_id,
        seats=cmd.seats,
        status=(BookingStatus.BOOKED if fits else BookingStatus.WAITING).value,
        booked_at=uow.now(),
        booked_by=cmd.by,
        volunteer_id=cmd.volunteer_id,
        organisation_id=cmd.organisation_id,
    )
    if not await uow.trainings.add_booking(booking):
        raise Conflict("already booked for this training (or on its waiting list)")
    return booking


async def cancel_booking(cmd: CancelBooking, uow: RegistryUnitOfWork) -> list[UUID]:
    """Cancel the place and give it to the waiting list; the bookings moved up, by id."""
    training = await _training(uow, cmd.centrale_id, cmd.training_id, lock=True)
    booking = await uow.trainings.get_booking(cmd.booking_id, training.id)
    if booking is None or (cmd.owner is not None and cmd.owner not in (booking.volunteer_id, booking.organisation_id)):
        raise NotFound(f"booking {cmd.booking_id} not found")
    if booking.status == BookingStatus.CANCELLED:
        raise Conflict("the booking is cancelled already")
    if training.starts_at <= uow.now():
        raise Conflict("the training has started")
    booking = replace(booking, status=BookingStatus.CANCELLED.value, cancelled_at=uow.now(), cancelled_by=cmd.by)
    await uow.trainings.update_booking(booking, ["status", "cancelled_at", "cancelled_by"])
    if training.status == TrainingStatus.CANCELLED:
        return []
    return [b.id for b in await _move_up(uow, training, await uow.trainings.bookings(training.id))]


async def record_attendance(cmd: RecordAttendance, uow: RegistryUnitOfWork) -> int:
    """Record whether each booking's people came and queue ``TrainingAttendanceRecorded`` for each; how many.

    Conflict before the training started; Rejected naming bookings that are not booked places of it.
    """
    training = await _training(uow, cmd.centrale_id, cmd.training_id, lock=True)
    if training.status == TrainingStatus.CANCELLED:
        raise Conflict("the training is cancelled")
    if training.starts_at > uow.now():
        raise Conflict("the training has not started yet")
    bookings = {b.id: b for b in await uow.trainings.bookings(training.id)}
    reasons = []
    for entry in cmd.entries:
        booking = bookings.get(entry.booking_id)
        if booking is None or booking.status != BookingStatus.BOOKED:
            reasons.append(f"booking {entry.booking_id} has no place at this training")
        elif entry.participants is not None and entry.participants > booking.seats:
            reasons.append(f"booking {entry.booking_id} has {booking.seats} seats")
    if reasons:
        raise Rejected(reasons, field="entries")
    attended_on = dutch_date(training.starts_at)
    for entry in cmd.entries:
        booking = bookings[entry.booking_id]
        participants = 0
        if entry.attended:
            participants = entry.participants if entry.participants is not None else booking.seats
        booking = replace(
            booking,
            attended=entry.attended and participants > 0,
            participants_attended=participants,
            attendance_recorded_at=uow.now(),
            attendance_recorded_by=cmd.by,
        )
        await uow.trainings.update_booking(
            booking, ["attended", "participants_attended", "attendance_recorded_at", "attendance_recorded_by"]
        )
        await uow.emit(
            TrainingAttendanceRecorded(
                training_id=training.id,
                booking_id=booking.id,
                centrale_id=training.centrale_id,
                audience=(Audience.VOLUNTEERS if booking.volunteer_id else Audience.ORGANISATIONS).value,
                volunteer_id=booking.volunteer_id,
                organisation_id=booking.organisation_id,
                participants=participants,
                attended=bool(booking.attended),
                attended_on=attended_on,
                recorded_at=uow.now(),
            ),
            tenant=training.centrale_id,
        )
    return len(cmd.entries)


async def list_bookings(query: ListBookings, uow: RegistryUnitOfWork) -> list[dict[str, Any]]:
    """The bookings with their trainings (title, meetings, place, status), newest first."""
    bookings = (
        await uow.trainings.bookings_of_volunteer(query.owner_id)
        if query.kind == "volunteer"
        else await uow.trainings.bookings_of_organisation(query.owner_id)
    )
    shown = []
    for booking in bookings:
        if booking.centrale_id != query.centrale_id:
            continue
        training = await uow.trainings.get(booking.training_id, booking.centrale_id)
        assert training is not None, "a booking's training stays"
        shown.append(
            _booking(booking)
            | {
                "title": training.title,
                "kind": training.kind,
                "sessions": training.sessions,
                "place": training.place,
                "training_status": training.status,
            }
        )
    return shown


async def trainings_of_volunteer(uow: RegistryUnitOfWork, volunteer_id: UUID, centrale_id: str) -> list[dict[str, Any]]:
    """The trainings on a volunteer's record and export: each booking with its training and whether they came."""
    shown = ("training_id", "title", "kind", "sessions", "place", "status", "training_status", "attended")
    return [
        {k: b[k] for k in shown} for b in await list_bookings(ListBookings("volunteer", volunteer_id, centrale_id), uow)
    ]


async def remind_participants(cmd: RemindParticipants, uow: RegistryUnitOfWork) -> dict[str, int]:
    """Remind each booked place of a training starting within ``cmd.within`` once; how many."""
    reminded = 0
    for booking in await uow.trainings.reminders_due(uow.now(), uow.now() + cmd.within):
        reminded += await _tell(uow, booking, NoticeKind.TRAINING_REMINDER, f"training-reminder:{booking.id}")
        await uow.trainings.update_booking(replace(booking, reminded_at=uow.now()), ["reminded_at"])
    return {"reminded": reminded}
