"""ShiftRepository: the behaviour the fake and PostgreSQL share."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, time, timedelta
from uuid import UUID, uuid4

from registry.repositories import Shift, ShiftPattern, Signup, TaskPart
from registry.unit_of_work import RegistryUnitOfWork
from tests.registry.builders import NOW, a_centrale, a_task, a_volunteer, an_organisation


async def _task(uow: RegistryUnitOfWork) -> tuple[str, UUID]:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    organisation = an_organisation(centrale.id)
    await uow.organisations.add(organisation)
    task = a_task(centrale.id, organisation.id, status="published")
    await uow.tasks.add(task)
    return centrale.id, task.id


def _pattern(centrale_id: str, task_id: UUID, part_id: UUID | None = None) -> ShiftPattern:
    return ShiftPattern(
        id=uuid4(), task_id=task_id, centrale_id=centrale_id, rule="FREQ=MONTHLY;BYDAY=1SA",
        starts_on=date(2026, 12, 1), start_time=time(9), end_time=time(12), capacity=2,
        generated_until=NOW + timedelta(days=183), created_at=NOW, created_by="organisation", part_id=part_id,
    )  # fmt: skip


def _shift(pattern: ShiftPattern, days: int) -> Shift:
    starts_at = NOW + timedelta(days=days)
    return Shift(uuid4(), pattern.id, pattern.task_id, pattern.centrale_id, starts_at, starts_at + timedelta(hours=3),
                 pattern.capacity, pattern.part_id)  # fmt: skip


async def test_parts_patterns_and_shifts_read_back_one_shift_per_pattern_and_start(uow: RegistryUnitOfWork) -> None:
    centrale_id, task_id = await _task(uow)
    part = TaskPart(uuid4(), task_id, centrale_id, "Kassa", 3, NOW)
    await uow.shifts.add_part(part)
    assert await uow.shifts.parts(task_id) == [part]
    pattern = _pattern(centrale_id, task_id, part.id)
    await uow.shifts.add_pattern(pattern)
    assert await uow.shifts.patterns(task_id) == [pattern]

    later, sooner = _shift(pattern, 14), _shift(pattern, 7)
    assert await uow.shifts.add_shifts([later, sooner]) == 2
    assert await uow.shifts.add_shifts([replace(sooner, id=uuid4()), _shift(pattern, 21)]) == 1  # same start: kept
    window = await uow.shifts.shifts(task_id, NOW, NOW + timedelta(days=14))
    assert [s.id for s in window] == [sooner.id, later.id]
    assert await uow.shifts.get_shift(sooner.id, task_id, lock=True) == sooner
    assert await uow.shifts.get_shift(sooner.id, uuid4()) is None

    assert [p.id for p in await uow.shifts.patterns_generated_before(NOW + timedelta(days=184))] == [pattern.id]
    await uow.shifts.set_generated_until(pattern.id, NOW + timedelta(days=190))
    assert await uow.shifts.patterns_generated_before(NOW + timedelta(days=184)) == []


async def test_one_live_sign_up_per_volunteer_and_shift_and_the_shifts_a_volunteer_holds(
    uow: RegistryUnitOfWork,
) -> None:
    centrale_id, task_id = await _task(uow)
    volunteer = a_volunteer(centrale_id)
    await uow.volunteers.add(volunteer)
    pattern = _pattern(centrale_id, task_id)
    await uow.shifts.add_pattern(pattern)
    first, second = _shift(pattern, 7), _shift(pattern, 14)
    await uow.shifts.add_shifts([first, second])

    def signup(shift: Shift, minutes: int, status: str = "signed_up") -> Signup:
        return Signup(uuid4(), shift.id, task_id, centrale_id, volunteer.id, uuid4(), status,
                      NOW + timedelta(minutes=minutes), "volunteer")  # fmt: skip

    held = signup(second, 0)
    assert await uow.shifts.add_signup(held) is True
    assert await uow.shifts.add_signup(signup(second, 1, "waiting")) is False
    waiting = signup(first, 2, "waiting")
    assert await uow.shifts.add_signup(waiting) is True
    assert [s.id for s in await uow.shifts.signups(second.id)] == [held.id]
    assert await uow.shifts.live_signups_of_match(waiting.match_id, NOW) == [waiting]
    assert await uow.shifts.live_signups_of_match(waiting.match_id, NOW + timedelta(days=8)) == []  # started
    assert await uow.shifts.get_signup(held.id, second.id) == held
    assert await uow.shifts.get_signup(held.id, first.id) is None

    [shown] = await uow.shifts.signed_up_shifts_of_volunteer(volunteer.id)  # waiting is not held
    assert (shown.signup_id, shown.starts_at, shown.title) == (held.id, second.starts_at, "Boodschappenbus rijden")
    await uow.shifts.update_signup(replace(held, status="cancelled", cancelled_at=NOW), ["status", "cancelled_at"])
    assert await uow.shifts.signed_up_shifts_of_volunteer(volunteer.id) == []
    assert await uow.shifts.add_signup(signup(second, 3)) is True
