"""Hours entries towards milestones, NLdoet and MDT: one at a time (the reference) or a run at a time.

``record_hours`` is the readable reference: claim the volunteer, keep the entry, evaluate every rule, as
every other event about a volunteer does. ``record_hours_run`` applies a run of entries (a consumer batch
of ``HoursLogged``) in a few statements whatever its length: it claims the run's volunteers in one
statement (in id order), reads their hours and awards once, then walks the run in memory, entry by
entry, with the same pure rules while the database stores the entries (one statement), and stores and
announces the new awards at once. It awards exactly what the reference would, each award with the same
trigger (the first entry that made it hold); ``tests/appreciation`` compares the two on generated NLdoet streams.

``correct_hours`` and ``reject_hours`` follow the registry's corrections and rejections of entries that
counted: the entry gets its new amount, or goes. What was awarded stays awarded (a thank-you is never taken
back), and every later evaluation counts the corrected figures; a correction upwards may itself make a
milestone hold.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from appreciation.domain import AwardTrigger, HoursEntry, Volunteer
from appreciation.unit_of_work import AppreciationUnitOfWork
from appreciation.use_cases._awarding import (
    RunFacts,
    RunStep,
    answered_after,
    claim_run,
    due_in_run,
    ensure_centrales,
    evaluate,
    give,
    run_facts,
)
from common.uow import Origin

__all__ = [
    "CorrectHours",
    "RecordHours",
    "RejectHours",
    "correct_hours",
    "record_hours",
    "record_hours_run",
    "reject_hours",
]


@dataclass(frozen=True)
class RecordHours:
    """An hours entry logged; ``origin``: the trigger's, when not the unit of work's (a run of entries)."""

    entry: HoursEntry
    trigger: AwardTrigger
    origin: Origin | None = None


@dataclass(frozen=True)
class CorrectHours:
    """The registry corrected an entry's amount; ``counted``: the entry counted before (else it is not known here)."""

    entry_id: UUID
    volunteer_id: UUID
    hours: Decimal
    counted: bool
    trigger: AwardTrigger


@dataclass(frozen=True)
class RejectHours:
    """The registry rejected an entry; ``counted``: it counted until now (else it never reached appreciation)."""

    entry_id: UUID
    volunteer_id: UUID
    counted: bool


async def record_hours(command: RecordHours, uow: AppreciationUnitOfWork) -> list[UUID]:
    """Keep an hours entry once (by its id), then award the milestones and thresholds it makes hold."""
    entry = command.entry
    await ensure_centrales(uow, [entry.centrale_id])
    # Hours name the task's centrale; for a volunteer not seen yet that is the best guess of theirs.
    claimed = await uow.volunteers.claim({entry.volunteer_id: entry.centrale_id}, confirmed=False)
    volunteer = claimed.get(entry.volunteer_id)
    if volunteer is None:
        return []  # erased: nothing is kept about them
    await uow.hours.add([entry])
    return await evaluate(uow, volunteer, command.trigger)


async def record_hours_run(commands: Sequence[RecordHours], uow: AppreciationUnitOfWork) -> list[UUID]:
    """Keep a run of hours entries and award what each makes hold, as ``record_hours`` one after the other would."""
    if not commands:
        return []
    # Hours name the task's centrale: for a volunteer not seen yet, their first entry's is the guess.
    guesses = [(command.entry.volunteer_id, command.entry.centrale_id) for command in commands]
    volunteers, event_centrales = await claim_run(uow, guesses, confirmed=False)
    kept = [command for command in commands if command.entry.volunteer_id in volunteers]
    if not kept:
        return []  # every volunteer of the run is erased

    # Hours stored before this run (under the volunteers' locks nobody else adds any); the run's own follow.
    facts = await run_facts(uow, volunteers, event_centrales)
    # The database stores the run's entries while the rules are evaluated here: nothing evaluated waits for
    # that statement's answer.
    async with answered_after(uow.hours.add([command.entry for command in kept])):
        due = due_in_run(_steps(kept, volunteers, facts), facts, uow.now())
    return await give(uow, due)


def _steps(kept: Sequence[RecordHours], volunteers: Mapping[UUID, Volunteer], facts: RunFacts) -> Iterator[RunStep]:
    """Each entry of the run with its volunteer's facts once it counts (a re-published entry counts once)."""
    for command in kept:
        entry = command.entry
        volunteer = volunteers[entry.volunteer_id]
        facts.worked[volunteer.id].setdefault(entry.id, (entry.worked_on, entry.hours))
        yield volunteer, facts.of(volunteer, facts.matches.get(volunteer.id, 0)), command.trigger, command.origin


async def correct_hours(command: CorrectHours, uow: AppreciationUnitOfWork) -> list[UUID]:
    """Count the entry's corrected amount from now on; award what the corrected total makes hold (awards stay)."""
    if not command.counted:
        return []
    # The volunteer's lock, as every hours event takes it: a run of entries or an erasure waits for this one.
    volunteer = await uow.volunteers.get(command.volunteer_id, lock=True)
    if volunteer is None or not await uow.hours.correct(command.entry_id, command.volunteer_id, command.hours):
        return []  # erased, or an entry appreciation never kept: nothing to correct
    return await evaluate(uow, volunteer, command.trigger)


async def reject_hours(command: RejectHours, uow: AppreciationUnitOfWork) -> None:
    """Take the rejected entry out of the volunteer's hours; what it helped award stays awarded."""
    if not command.counted:
        return
    if await uow.volunteers.get(command.volunteer_id, lock=True) is not None:
        await uow.hours.withdraw(command.entry_id, command.volunteer_id)
