"""A task's dated shifts: parts people take separately, patterns (RFC 5545 RRULE) that generate shifts over a
rolling horizon, and sign-ups per shift with a waiting list.

The organisation (or staff) adds parts and patterns; a volunteer with a running match for the task signs up for a
shift (staff may sign up for them). Over capacity, a sign-up waits; a cancellation gives the place to the first
waiting. Sign-ups of one shift take turns on the shift's row (locked), so two at the same moment never take more
places than there are. See ``registry.shift_rules`` for the rule format, the horizon and why it is bounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

from common.errors import Conflict, NotFound, Rejected
from registry.domain import TaskStatus
from registry.notice_texts import NoticeKind
from registry.repositories import Shift, ShiftPattern, Signup, Task, TaskPart
from registry.shift_rules import HORIZON, SignupStatus, check_pattern, parse_rule, shift_times, waiting_to_place
from registry.unit_of_work import RegistryUnitOfWork
from registry.use_cases.notices import queue_notice
from registry.use_cases.tasks import emit_task_updated

__all__ = [
    "AddShiftPattern",
    "AddTaskPart",
    "CancelSignup",
    "ExtendShifts",
    "ListShifts",
    "SignUp",
    "add_shift_pattern",
    "add_task_part",
    "cancel_signup",
    "extend_shifts",
    "list_shifts",
    "release_signups_of_match",
    "sign_up",
]

_OPEN = (TaskStatus.DRAFT, TaskStatus.PUBLISHED, TaskStatus.FILLED)


@dataclass(frozen=True)
class AddTaskPart:
    """The organisation (``organisation_id``; None for staff) splits off a part of its task with its own places."""

    centrale_id: str
    task_id: UUID
    organisation_id: UUID | None
    title: str
    capacity: int


@dataclass(frozen=True)
class AddShiftPattern:
    """The organisation (None: staff) adds shifts by a rule: from ``starts_on``, ``start``-``end`` Dutch time."""

    centrale_id: str
    task_id: UUID
    organisation_id: UUID | None
    rule: str
    starts_on: date
    start: time
    end: time
    capacity: int | None
    """Places per shift; None: the part's capacity, else the task's."""
    part_id: UUID | None
    by: str


@dataclass(frozen=True)
class ListShifts:
    """The task's shifts in the next ``days`` with places taken, left and waiting (``organisation_id``: its own)."""

    centrale_id: str
    task_id: UUID
    organisation_id: UUID | None
    days: int = HORIZON.days
    volunteer_id: UUID | None = None  # a volunteer asking: each shift says where their own sign-up stands


@dataclass(frozen=True)
class SignUp:
    """A volunteer with a running match for the task signs up for a shift; ``by``: who did it."""

    centrale_id: str
    task_id: UUID
    shift_id: UUID
    volunteer_id: UUID
    by: str


@dataclass(frozen=True)
class CancelSignup:
    """The volunteer (``volunteer_id``; None for staff) cancels a sign-up; the first waiting gets the place."""

    centrale_id: str
    task_id: UUID
    shift_id: UUID
    signup_id: UUID
    volunteer_id: UUID | None
    by: str


@dataclass(frozen=True)
class ExtendShifts:
    """Generate every pattern's shifts up to the horizon from now (the daily ``extend-shifts`` job)."""


async def _task(uow: RegistryUnitOfWork, centrale_id: str, task_id: UUID, organisation_id: UUID | None) -> Task:
    task = await uow.tasks.get(task_id, centrale_id, organisation_id)
    if task is None:
        raise NotFound(f"task {task_id} not found")
    return task


async def add_task_part(cmd: AddTaskPart, uow: RegistryUnitOfWork) -> UUID:
    """Store the part; Conflict once the task is closed."""
    task = await _task(uow, cmd.centrale_id, cmd.task_id, cmd.organisation_id)
    if task.status not in _OPEN:
        raise Conflict("the task is closed")
    part = TaskPart(uuid4(), task.id, task.centrale_id, cmd.title, cmd.capacity, uow.now())
    await uow.shifts.add_part(part)
    return part.id


async def add_shift_pattern(cmd: AddShiftPattern, uow: RegistryUnitOfWork) -> dict[str, Any]:
    """Store the pattern and its shifts within the horizon; its id and how many shifts it gave.

    Rejected (with the field) for a bad rule, one that gives no shift (an unbounded one: none within the horizon),
    a part of another task; Conflict once the task is closed.
    """
    task = await _task(uow, cmd.centrale_id, cmd.task_id, cmd.organisation_id)
    if task.status not in _OPEN:
        raise Conflict("the task is closed")
    capacity = cmd.capacity
    if cmd.part_id is not None:
        part = next((p for p in await uow.shifts.parts(task.id) if p.id == cmd.part_id), None)
        if part is None:
            raise Rejected(["no such part of this task"], field="part_id")
        capacity = capacity if capacity is not None else part.capacity
    capacity = capacity if capacity is not None else task.capacity
    rule = parse_rule(cmd.rule, cmd.starts_on, cmd.start)
    check_pattern(rule, cmd.start, cmd.end, uow.now())
    now = uow.now()
    pattern = ShiftPattern(
        id=uuid4(),
        task_id=task.id,
        centrale_id=task.centrale_id,
        rule=cmd.rule.strip(),
        starts_on=cmd.starts_on,
        start_time=cmd.start,
        end_time=cmd.end,
        capacity=capacity,
        generated_until=now + HORIZON,
        created_at=now,
        created_by=cmd.by,
        part_id=cmd.part_id,
    )
    await uow.shifts.add_pattern(pattern)
    added = await _generate(uow, pattern, now, now + HORIZON)
    if task.status == TaskStatus.PUBLISHED:
        await emit_task_updated(uow, task)  # matching fits availability on the new shifts
    return {"id": pattern.id, "shifts": added}


async def _generate(uow: RegistryUnitOfWork, pattern: ShiftPattern, after: datetime, until: datetime) -> int:
    """Store the pattern's shifts starting in (after, until]; how many were new."""
    rule = parse_rule(pattern.rule, pattern.starts_on, pattern.start_time)
    shifts = [
        Shift(
            uuid4(),
            pattern.id,
            pattern.task_id,
            pattern.centrale_id,
            s.starts_at,
            s.ends_at,
            pattern.capacity,
            pattern.part_id,
        )
        for s in shift_times(rule, pattern.start_time, pattern.end_time, after, until)
    ]
    return await uow.shifts.add_shifts(shifts)


async def extend_shifts(cmd: ExtendShifts, uow: RegistryUnitOfWork) -> dict[str, int]:
    """Move every pattern's horizon to now + ``HORIZON``, storing the shifts that adds; counts.

    Each published task of those patterns gets a ``TaskUpdated``: its dated shifts in the coming weeks moved on
    by a day, and matching fits availability on them.
    """
    horizon = uow.now() + HORIZON
    patterns = await uow.shifts.patterns_generated_before(horizon)
    added = 0
    for pattern in patterns:
        added += await _generate(uow, pattern, pattern.generated_until, horizon)
        await uow.shifts.set_generated_until(pattern.id, horizon)
    updated = 0
    for task_id in sorted({p.task_id for p in patterns}):
        task = await uow.tasks.get_by_id(task_id)
        if task is not None and task.status == TaskStatus.PUBLISHED:
            await emit_task_updated(uow, task)
            updated += 1
    return {"patterns": len(patterns), "shifts": added, "tasks_updated": updated}


def _places(shift: Shift, signups: Sequence[Signup], volunteer_id: UUID | None = None) -> dict[str, Any]:
    taken = sum(1 for s in signups if s.status == SignupStatus.SIGNED_UP)
    live = (s for s in signups if s.status != SignupStatus.CANCELLED)
    mine = next((s for s in live if volunteer_id is not None and s.volunteer_id == volunteer_id), None)
    place: dict[str, Any] = {
        "id": shift.id,
        "pattern_id": shift.pattern_id,
        "part_id": shift.part_id,
        "starts_at": shift.starts_at,
        "ends_at": shift.ends_at,
        "capacity": shift.capacity,
        "taken": taken,
        "left": max(shift.capacity - taken, 0),
        "waiting": sum(1 for s in signups if s.status == SignupStatus.WAITING),
    }
    if volunteer_id is not None:
        # Only the asking volunteer's own sign-up, so they can cancel it; never who else signed up.
        place["mine"] = {"id": mine.id, "status": mine.status} if mine else None
    return place


async def list_shifts(query: ListShifts, uow: RegistryUnitOfWork) -> dict[str, Any]:
    """The task's parts, patterns and shifts starting in the next ``days``, soonest first."""
    task = await _task(uow, query.centrale_id, query.task_id, query.organisation_id)
    now = uow.now()
    shifts = await uow.shifts.shifts(task.id, now, now + timedelta(days=query.days))
    return {
        "task_id": task.id,
        "parts": [{"id": p.id, "title": p.title, "capacity": p.capacity} for p in await uow.shifts.parts(task.id)],
        "patterns": [
            {
                "id": p.id,
                "rule": p.rule,
                "starts_on": p.starts_on,
                "start": p.start_time,
                "end": p.end_time,
                "capacity": p.capacity,
                "part_id": p.part_id,
            }
            for p in await uow.shifts.patterns(task.id)
        ],
        "shifts": [_places(s, await uow.shifts.signups(s.id), query.volunteer_id) for s in shifts],
    }


async def _shift(uow: RegistryUnitOfWork, cmd: SignUp | CancelSignup) -> Shift:
    await _task(uow, cmd.centrale_id, cmd.task_id, None)
    shift = await uow.shifts.get_shift(cmd.shift_id, cmd.task_id, lock=True)
    if shift is None:
        raise NotFound(f"shift {cmd.shift_id} not found")
    if shift.starts_at <= uow.now():
        raise Conflict("the shift has started")
    return shift


async def sign_up(cmd: SignUp, uow: RegistryUnitOfWork) -> Signup:
    """Sign up: ``signed_up`` while places are left, else ``waiting``.

    Conflict without a running match for the task, or for a second live sign-up; NotFound for another task's shift.
    """
    shift = await _shift(uow, cmd)
    running = [
        m for m in await uow.matches.of_volunteer(cmd.volunteer_id) if m.task_id == cmd.task_id and m.ended_at is None
    ]
    if not running:
        raise Conflict("only a volunteer matched to the task signs up for its shifts")
    signups = await uow.shifts.signups(shift.id)
    # Every cancellation places the waiting at once, so a new sign-up waits exactly when the shift is full.
    taken = sum(1 for s in signups if s.status == SignupStatus.SIGNED_UP)
    signup = Signup(
        id=uuid4(),
        shift_id=shift.id,
        task_id=shift.task_id,
        centrale_id=shift.centrale_id,
        volunteer_id=cmd.volunteer_id,
        match_id=running[0].id,
        status=(SignupStatus.SIGNED_UP if taken < shift.capacity else SignupStatus.WAITING).value,
        signed_up_at=uow.now(),
        signed_up_by=cmd.by,
    )
    if not await uow.shifts.add_signup(signup):
        raise Conflict("already signed up for this shift (or on its waiting list)")
    return signup


async def cancel_signup(cmd: CancelSignup, uow: RegistryUnitOfWork) -> list[UUID]:
    """Cancel the sign-up and give its place to the first waiting; the sign-ups placed, by id."""
    shift = await _shift(uow, cmd)
    signup = await uow.shifts.get_signup(cmd.signup_id, shift.id)
    if signup is None or (cmd.volunteer_id is not None and signup.volunteer_id != cmd.volunteer_id):
        raise NotFound(f"sign-up {cmd.signup_id} not found")
    if signup.status == SignupStatus.CANCELLED:
        raise Conflict("the sign-up is cancelled already")
    return await _cancel(uow, shift, signup, cmd.by)


async def release_signups_of_match(uow: RegistryUnitOfWork, match_id: UUID) -> int:
    """Cancel an ended match's sign-ups for shifts still ahead, each place going to the first waiting; how many."""
    released = 0
    for signup in await uow.shifts.live_signups_of_match(match_id, uow.now()):
        shift = await uow.shifts.get_shift(signup.shift_id, signup.task_id, lock=True)
        assert shift is not None, "a sign-up's shift stays"
        await _cancel(uow, shift, signup, "match-ended")
        released += 1
    return released


async def _cancel(uow: RegistryUnitOfWork, shift: Shift, signup: Signup, by: str) -> list[UUID]:
    """Cancel the sign-up and give free places to the waiting, in the order they came; the placed, by id."""
    signup = replace(signup, status=SignupStatus.CANCELLED.value, cancelled_at=uow.now(), cancelled_by=by)
    await uow.shifts.update_signup(signup, ["status", "cancelled_at", "cancelled_by"])
    signups = await uow.shifts.signups(shift.id)
    taken = sum(1 for s in signups if s.status == SignupStatus.SIGNED_UP)
    waiting = [s for s in signups if s.status == SignupStatus.WAITING]
    placed = waiting_to_place(shift.capacity, taken, [s.id for s in waiting])
    for waiter in waiting:
        if waiter.id in placed:
            moved = replace(waiter, status=SignupStatus.SIGNED_UP.value, placed_at=uow.now())
            await uow.shifts.update_signup(moved, ["status", "placed_at"])
            # They waited, perhaps for weeks: without a word they would not know to come.
            await queue_notice(
                uow,
                kind=NoticeKind.SHIFT_PLACE,
                recipient_kind="volunteer",
                recipient_id=waiter.volunteer_id,
                centrale_id=waiter.centrale_id,
                cause=f"shift-place:{waiter.id}",
                match_id=waiter.match_id,
                task_id=waiter.task_id,
                shift_id=shift.id,
            )
    return placed
