"""An in-memory fake of the shifts repository (see ``tests/registry/fakes.py``).

It keeps the PostgreSQL repository's promises: the same filters and orders, one shift per pattern and start, one
live sign-up per volunteer and shift.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar
from uuid import UUID

from registry.repositories import Shift, ShiftPattern, SignedUpShift, Signup, StaffedShift, TaskPart

if TYPE_CHECKING:
    from tests.registry.fakes import FakeTables

__all__ = ["FakeShiftRepository"]

T = TypeVar("T")


def _stored(record: T) -> T:
    return copy.deepcopy(record)


class FakeShiftRepository:
    """Parts, patterns, shifts and sign-ups in memory."""

    def __init__(self, tables: FakeTables) -> None:
        self._tables = tables

    async def add_part(self, part: TaskPart) -> None:
        self._tables.task_parts[part.id] = _stored(part)

    async def parts(self, task_id: UUID) -> list[TaskPart]:
        rows = [p for p in self._tables.task_parts.values() if p.task_id == task_id]
        return _stored(sorted(rows, key=lambda p: (p.created_at, p.id)))

    async def add_pattern(self, pattern: ShiftPattern) -> None:
        self._tables.shift_patterns[pattern.id] = _stored(pattern)

    async def patterns(self, task_id: UUID) -> list[ShiftPattern]:
        rows = [p for p in self._tables.shift_patterns.values() if p.task_id == task_id]
        return _stored(sorted(rows, key=lambda p: (p.created_at, p.id)))

    async def patterns_generated_before(self, moment: datetime) -> list[ShiftPattern]:
        rows = [p for p in self._tables.shift_patterns.values() if p.generated_until < moment]
        return _stored(sorted(rows, key=lambda p: p.id))

    async def set_generated_until(self, pattern_id: UUID, moment: datetime) -> None:
        patterns = self._tables.shift_patterns
        patterns[pattern_id] = replace(patterns[pattern_id], generated_until=moment)

    async def add_shifts(self, shifts: Sequence[Shift]) -> int:
        added = 0
        for shift in shifts:
            taken = {(s.pattern_id, s.starts_at) for s in self._tables.shifts.values()}
            if (shift.pattern_id, shift.starts_at) not in taken:
                self._tables.shifts[shift.id] = _stored(shift)
                added += 1
        return added

    async def get_shift(self, shift_id: UUID, task_id: UUID, *, lock: bool = False) -> Shift | None:
        shift = self._tables.shifts.get(shift_id)
        return _stored(shift) if shift is not None and shift.task_id == task_id else None

    async def shifts(self, task_id: UUID, starting_after: datetime, starting_until: datetime) -> list[Shift]:
        rows = [
            s
            for s in self._tables.shifts.values()
            if s.task_id == task_id and starting_after < s.starts_at <= starting_until
        ]
        return _stored(sorted(rows, key=lambda s: (s.starts_at, s.id)))

    async def add_signup(self, signup: Signup) -> bool:
        for other in self._tables.shift_signups.values():
            live = other.status != "cancelled"
            if live and other.shift_id == signup.shift_id and other.volunteer_id == signup.volunteer_id:
                return False
        self._tables.shift_signups[signup.id] = _stored(signup)
        return True

    async def get_signup(self, signup_id: UUID, shift_id: UUID) -> Signup | None:
        signup = self._tables.shift_signups.get(signup_id)
        return _stored(signup) if signup is not None and signup.shift_id == shift_id else None

    async def update_signup(self, signup: Signup, columns: Sequence[str]) -> None:
        signups = self._tables.shift_signups
        signups[signup.id] = replace(signups[signup.id], **{column: getattr(signup, column) for column in columns})

    async def signups(self, shift_id: UUID) -> list[Signup]:
        rows = [s for s in self._tables.shift_signups.values() if s.shift_id == shift_id]
        return _stored(sorted(rows, key=lambda s: (s.signed_up_at, s.id)))

    async def signed_up_shifts_of_volunteer(self, volunteer_id: UUID) -> list[SignedUpShift]:
        held = []
        for signup in self._tables.shift_signups.values():
            if signup.volunteer_id != volunteer_id or signup.status != "signed_up":
                continue
            shift = self._tables.shifts[signup.shift_id]
            task = self._tables.tasks[shift.task_id]
            part = self._tables.task_parts.get(shift.part_id) if shift.part_id is not None else None
            area = self._tables.postcode_areas.get(task.postcode_area) if task.postcode_area else None
            held.append(
                SignedUpShift(
                    signup_id=signup.id,
                    centrale_id=shift.centrale_id,
                    starts_at=shift.starts_at,
                    ends_at=shift.ends_at,
                    title=task.title + (f": {part.title}" if part is not None else ""),
                    organisation_name=self._tables.organisations[task.organisation_id].name,
                    postcode=task.postcode,
                    place=area.place if area is not None else None,
                )
            )
        return sorted(held, key=lambda h: (h.starts_at, h.signup_id))

    async def live_signups_of_match(self, match_id: UUID, starting_after: datetime) -> list[Signup]:
        live = [
            (self._tables.shifts[s.shift_id].starts_at, s.id, s)
            for s in self._tables.shift_signups.values()
            if s.match_id == match_id
            and s.status != "cancelled"
            and self._tables.shifts[s.shift_id].starts_at > starting_after
        ]
        return _stored([entry[2] for entry in sorted(live, key=lambda entry: entry[:2])])

    async def staffed_shifts_of_organisation(
        self, organisation_id: UUID, starting_after: datetime
    ) -> list[StaffedShift]:
        staffed = []
        for shift in self._tables.shifts.values():
            task = self._tables.tasks[shift.task_id]
            taken = sum(
                1 for u in self._tables.shift_signups.values() if u.shift_id == shift.id and u.status == "signed_up"
            )
            if task.organisation_id != organisation_id or shift.starts_at <= starting_after or not taken:
                continue
            part = self._tables.task_parts.get(shift.part_id) if shift.part_id is not None else None
            area = self._tables.postcode_areas.get(task.postcode_area) if task.postcode_area else None
            staffed.append(
                StaffedShift(
                    shift_id=shift.id,
                    centrale_id=shift.centrale_id,
                    starts_at=shift.starts_at,
                    ends_at=shift.ends_at,
                    title=task.title + (f": {part.title}" if part is not None else ""),
                    capacity=shift.capacity,
                    taken=taken,
                    postcode=task.postcode,
                    place=area.place if area is not None else None,
                )
            )
        return sorted(staffed, key=lambda s: (s.starts_at, s.shift_id))
