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

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from appreciation import domain
from appreciation.domain import Award, AwardTrigger, HoursEntry, Rule, Volunteer, VolunteerFacts
from appreciation.unit_of_work import AppreciationUnitOfWork
from appreciation.use_cases._awarding import answered_after, ensure_centrales, evaluate, give
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
    event_centrales = {command.entry.centrale_id for command in commands}
    await ensure_centrales(uow, event_centrales)
    # A volunteer not seen yet gets the centrale of their first entry in the run, as entry by entry.
    guesses: dict[UUID, str] = {}
    for command in commands:
        guesses.setdefault(command.entry.volunteer_id, command.entry.centrale_id)
    volunteers = await uow.volunteers.claim(guesses, confirmed=False)
    kept = [command for command in commands if command.entry.volunteer_id in volunteers]
    if not kept:
        return []  # every volunteer of the run is erased

    # Hours stored before this run (under the volunteers' locks nobody else adds any); the run's own follow.
    worked: dict[UUID, dict[UUID, tuple[date, Decimal]]] = {volunteer_id: {} for volunteer_id in volunteers}
    for volunteer_id, entry_id, worked_on, hours in await uow.hours.worked(list(volunteers)):
        worked[volunteer_id][entry_id] = (worked_on, hours)
    matches = await uow.matches.counts(list(volunteers))
    centrales = {volunteer.centrale_id for volunteer in volunteers.values()}
    await ensure_centrales(uow, centrales - event_centrales)
    rules: dict[str, list[Rule]] = defaultdict(list)
    for rule in await uow.rules.active(centrales, domain.VOLUNTEER_KINDS):
        rules[rule.centrale_id].append(rule)
    # What the volunteers were awarded before: found holding again, it is not given (nor built) a second time.
    given = await uow.awards.given(list(volunteers))

    # The database stores the run's entries while the rules are evaluated here: nothing evaluated waits for
    # that statement's answer.
    async with answered_after(uow.hours.add([command.entry for command in kept])):
        due = _due_in_run(kept, volunteers, worked, matches, rules, given, uow.now())
    return await give(uow, due)


def _due_in_run(
    kept: Sequence[RecordHours],
    volunteers: Mapping[UUID, Volunteer],
    worked: dict[UUID, dict[UUID, tuple[date, Decimal]]],
    matches: Mapping[UUID, int],
    rules: Mapping[str, list[Rule]],
    given: set[tuple[UUID, str, str, str]],
    now: datetime,
) -> list[tuple[Award, Origin | None]]:
    """The awards the run's entries make hold, entry by entry, each with the trigger of the first that did."""
    # Per volunteer, the rules that can still give something new: a once-only rule given is not evaluated again.
    open_rules: dict[UUID, list[Rule]] = {}
    # The rule ids of each volunteer's once-only awards from before the run under their centrale's rules (the
    # only ones evaluated), looked up by text: a key holding the volunteer's UUID would be hashed in Python
    # for every rule of every volunteer.
    given_once: dict[UUID, set[str]] = defaultdict(set)
    for recipient_id, centrale_id, rule_id, occurrence in given:
        if occurrence == "" and centrale_id == volunteers[recipient_id].centrale_id:
            given_once[recipient_id].add(rule_id)
    due: list[tuple[Award, Origin | None]] = []
    for command in kept:
        entry = command.entry
        volunteer = volunteers[entry.volunteer_id]
        hours = worked[volunteer.id]
        hours.setdefault(entry.id, (entry.worked_on, entry.hours))  # a re-published entry counts once
        candidates = open_rules.get(volunteer.id)
        if candidates is None:
            centrale_rules = rules.get(volunteer.centrale_id, [])
            given_before = given_once.get(volunteer.id)
            candidates = open_rules[volunteer.id] = (
                [rule for rule in centrale_rules if rule.rule_id not in given_before]
                if given_before
                else list(centrale_rules)
            )
        # Positional (volunteer, centrale, age band, registration, matches, hours): built for every entry.
        facts = VolunteerFacts(
            volunteer.id,
            volunteer.centrale_id,
            volunteer.age_band,
            volunteer.registered_on,
            matches.get(volunteer.id, 0),
            list(hours.values()),
        )
        for rule, occurrence in domain.awards_due(candidates, facts, command.trigger.on):
            key = (volunteer.id, rule.centrale_id, rule.rule_id, occurrence)
            if key not in given:
                given.add(key)
                award = domain.award(rule, volunteer.id, "volunteer", occurrence, command.trigger, now)
                due.append((award, command.origin))
                if not _may_give(rule, volunteer.id, given):
                    candidates.remove(rule)
    return due


def _may_give(rule: Rule, volunteer_id: UUID, given: set[tuple[UUID, str, str, str]]) -> bool:
    """Whether ``rule`` could still give the volunteer something new: a once-only rule (occurrence "") not given.

    NLdoet's occurrences are years, never "": it stays open for the next year.
    """
    return (volunteer_id, rule.centrale_id, rule.rule_id, "") not in given


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
