"""Routes of the kennisfunctie: the centrale's trainings and advice sessions, bookings, attendance.

Staff publish, change and cancel trainings, book for anyone and record who attended. A volunteer sees and books
the trainings for volunteers; an organisation those for organisations, for its own people. Another centrale's
trainings are 404.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from common.auth import Caller, CallerDep, Role, require_centrale_access, require_role
from common.errors import Rejected
from registry import domain
from registry.api._plumbing import RegistryUowDep
from registry.api.models import Code, Record
from registry.training_rules import Audience, TrainingKind
from registry.use_cases import trainings

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["trainings"])


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SessionIn(_Body):
    """One meeting of a training."""

    starts_at: datetime = Field(examples=["2026-11-03T19:30:00+01:00"])
    ends_at: datetime = Field(examples=["2026-11-03T21:30:00+01:00"])

    @model_validator(mode="after")
    def _in_order(self) -> SessionIn:
        if self.ends_at <= self.starts_at:
            raise ValueError("a meeting ends after it starts")
        if self.starts_at.tzinfo is None:
            raise ValueError("give the time with its offset, e.g. 2026-11-03T19:30:00+01:00")
        return self


class TrainingIn(_Body):
    """A training or advice session the centrale offers."""

    title: str = Field(min_length=3, max_length=200, examples=["Omgaan met dementie"])
    description: str = Field(min_length=10, max_length=5000)
    kind: TrainingKind = Field(TrainingKind.TRAINING, description="training, or advice (an advice session).")
    audience: Audience = Field(description="volunteers, organisations or both.")
    theme: Code | None = Field(None, examples=["zorg"])
    sessions: list[SessionIn] = Field(min_length=1, max_length=52, description="When it meets.")
    place: str = Field(min_length=2, max_length=300, examples=["Buurthuis De Linde, Utrecht (or: online)"])
    postcode: str | None = Field(None, description="Where (only the PC4 area is kept); leave out for online.")
    capacity: int = Field(ge=1, le=1000, description="Seats; more bookings wait on the waiting list.")

    @field_validator("postcode")
    @classmethod
    def _area(cls, value: str | None) -> str | None:
        return domain.postcode_area(value) if value is not None else None

    def fields(self) -> trainings.TrainingFields:
        """The use case's training fields."""
        return trainings.TrainingFields(
            title=self.title,
            description=self.description,
            kind=self.kind,
            audience=self.audience,
            sessions=[(s.starts_at, s.ends_at) for s in self.sessions],
            place=self.place,
            capacity=self.capacity,
            theme=self.theme,
            postcode_area=self.postcode,
        )


class BookingIn(_Body):
    """A booking: a volunteer books for themselves (empty body), an organisation names its seats; staff name who."""

    volunteer_id: UUID | None = Field(None, description="Staff only: the volunteer they book for.")
    organisation_id: UUID | None = Field(None, description="Staff only: the organisation they book for.")
    seats: int = Field(1, ge=1, le=1000, description="An organisation's seats (a volunteer books one).")

    @model_validator(mode="after")
    def _one(self) -> BookingIn:
        if self.volunteer_id is not None and self.organisation_id is not None:
            raise ValueError("a booking is for a volunteer or for an organisation, not both")
        return self


class BookingOut(BaseModel):
    """A booking and where it stands."""

    id: UUID
    status: str = Field(description="booked, or waiting (on the waiting list).")


class AttendanceEntryIn(_Body):
    """Whether one booking's people came."""

    booking_id: UUID
    attended: bool
    participants: int | None = Field(None, ge=0, le=1000, description="An organisation's people who came.")


class AttendanceIn(_Body):
    """Who attended."""

    entries: list[AttendanceEntryIn] = Field(min_length=1, max_length=1000)


def _staff(caller: Caller, centrale_id: str) -> None:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF)


def _audiences(caller: Caller, centrale_id: str) -> Sequence[Audience]:
    """The audiences the caller sees trainings of: staff all, a volunteer's or an organisation's own."""
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF, Role.VOLUNTEER, Role.ORGANISATION)
    if caller.role is Role.VOLUNTEER:
        return (Audience.VOLUNTEERS,)
    if caller.role is Role.ORGANISATION:
        return (Audience.ORGANISATIONS,)
    return (Audience.VOLUNTEERS, Audience.ORGANISATIONS, Audience.BOTH)


def _missing(field: str, message: str) -> Rejected:
    return Rejected([message], field=field)


@router.post(
    "/centrales/{centrale_id}/trainings", status_code=status.HTTP_201_CREATED, summary="Publish a training (staff)."
)
async def schedule_training(centrale_id: str, body: TrainingIn, caller: CallerDep, uow: RegistryUowDep) -> Record:
    _staff(caller, centrale_id)
    cmd = trainings.ScheduleTraining(centrale_id, body.fields(), caller.actor)
    return {"id": await trainings.schedule_training(cmd, uow)}


@router.get(
    "/centrales/{centrale_id}/trainings",
    summary="The trainings not over yet, with seats left and the waiting list (for you: your audience's).",
)
async def list_trainings(
    centrale_id: str,
    caller: CallerDep,
    uow: RegistryUowDep,
    include_past: bool = Query(False, description="Staff: also trainings that are over."),
) -> list[Record]:
    audiences = _audiences(caller, centrale_id)
    query = trainings.ListTrainings(centrale_id, audiences, include_past and caller.role is Role.CENTRALE_STAFF)
    return await trainings.list_trainings(query, uow)


@router.get(
    "/centrales/{centrale_id}/trainings/{training_id}", summary="A training; for staff with every booking and who."
)
async def get_training(centrale_id: str, training_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> Record:
    audiences = _audiences(caller, centrale_id)
    query = trainings.GetTraining(centrale_id, training_id, caller.role is Role.CENTRALE_STAFF, audiences)
    return await trainings.get_training(query, uow)


@router.put(
    "/centrales/{centrale_id}/trainings/{training_id}",
    summary="Change a training before it starts; more seats move people up from the waiting list (staff).",
)
async def update_training(
    centrale_id: str, training_id: UUID, body: TrainingIn, caller: CallerDep, uow: RegistryUowDep
) -> Record:
    _staff(caller, centrale_id)
    moved_up = await trainings.update_training(trainings.UpdateTraining(centrale_id, training_id, body.fields()), uow)
    return {"moved_up": moved_up}


@router.post(
    "/centrales/{centrale_id}/trainings/{training_id}/cancel",
    summary="Cancel a training; everyone booked or waiting gets a notice (staff).",
)
async def cancel_training(centrale_id: str, training_id: UUID, caller: CallerDep, uow: RegistryUowDep) -> Record:
    _staff(caller, centrale_id)
    return {"told": await trainings.cancel_training(trainings.CancelTraining(centrale_id, training_id), uow)}


@router.post(
    "/centrales/{centrale_id}/trainings/{training_id}/bookings",
    status_code=status.HTTP_201_CREATED,
    summary="Book a place: a volunteer for themselves, an organisation for its people, staff for either; when the"
    " training is full the booking waits on the waiting list.",
)
async def book(
    centrale_id: str, training_id: UUID, body: BookingIn, caller: CallerDep, uow: RegistryUowDep
) -> BookingOut:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF, Role.VOLUNTEER, Role.ORGANISATION)
    volunteer_id, organisation_id = body.volunteer_id, body.organisation_id
    if caller.role is not Role.CENTRALE_STAFF:
        if volunteer_id is not None or organisation_id is not None:
            raise _missing("volunteer_id", "only staff book for someone else")
        volunteer_id = caller.subject_id if caller.role is Role.VOLUNTEER else None
        organisation_id = caller.subject_id if caller.role is Role.ORGANISATION else None
    elif volunteer_id is None and organisation_id is None:
        raise _missing("volunteer_id", "staff name the volunteer (volunteer_id) or organisation (organisation_id)")
    cmd = trainings.Book(centrale_id, training_id, volunteer_id, organisation_id, body.seats, caller.actor)
    booking = await trainings.book(cmd, uow)
    return BookingOut(id=booking.id, status=booking.status)


@router.post(
    "/centrales/{centrale_id}/trainings/{training_id}/bookings/{booking_id}/cancel",
    summary="Cancel a place (whoever booked it, or staff); the waiting list moves up.",
)
async def cancel_booking(
    centrale_id: str, training_id: UUID, booking_id: UUID, caller: CallerDep, uow: RegistryUowDep
) -> Record:
    require_centrale_access(caller, centrale_id, Role.CENTRALE_STAFF, Role.VOLUNTEER, Role.ORGANISATION)
    owner = None if caller.role is Role.CENTRALE_STAFF else caller.subject_id
    cmd = trainings.CancelBooking(centrale_id, training_id, booking_id, owner, caller.actor)
    return {"moved_up": await trainings.cancel_booking(cmd, uow)}


@router.put(
    "/centrales/{centrale_id}/trainings/{training_id}/attendance",
    summary="Record who attended, once the training started (staff); again to correct it.",
)
async def record_attendance(
    centrale_id: str, training_id: UUID, body: AttendanceIn, caller: CallerDep, uow: RegistryUowDep
) -> Record:
    _staff(caller, centrale_id)
    entries = [trainings.AttendanceEntry(e.booking_id, e.attended, e.participants) for e in body.entries]
    cmd = trainings.RecordAttendance(centrale_id, training_id, entries, caller.actor)
    return {"recorded": await trainings.record_attendance(cmd, uow)}


@router.get("/me/trainings", tags=["volunteers"], summary="Your bookings: booked, waiting, attended.")
async def my_trainings(caller: CallerDep, uow: RegistryUowDep) -> list[Record]:
    require_role(caller, Role.VOLUNTEER)
    assert caller.subject_id is not None, "volunteer credentials carry the volunteer id"
    assert caller.centrale_id is not None, "volunteer credentials carry the centrale"
    query = trainings.ListBookings("volunteer", caller.subject_id, caller.centrale_id)
    return await trainings.list_bookings(query, uow)


@router.get(
    "/centrales/{centrale_id}/organisations/{organisation_id}/trainings",
    tags=["organisations"],
    summary="The organisation's bookings: booked, waiting, attended.",
)
async def organisation_trainings(
    centrale_id: str, organisation_id: UUID, caller: CallerDep, uow: RegistryUowDep
) -> list[Record]:
    if caller.role not in (Role.ORGANISATION, Role.CENTRALE_STAFF):
        raise HTTPException(status.HTTP_403_FORBIDDEN, f"role {caller.role} may not do this")
    if caller.centrale_id != centrale_id or (caller.role is Role.ORGANISATION and caller.subject_id != organisation_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found")
    query = trainings.ListBookings("organisation", organisation_id, centrale_id)
    return await trainings.list_bookings(query, uow)
