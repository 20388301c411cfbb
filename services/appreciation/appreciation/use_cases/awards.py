"""Facts from the registry's and matching's events, and the awards the centrale's rules give for them.

Every use case about a volunteer claims the volunteer's row first (see ``repositories/volunteers.py``),
so events about one volunteer arriving on different topics at once are applied one after the other and
each sees the facts the previous one committed. Awards are stored under their deterministic id once;
only a new one is announced (``_awarding.give``), so redeliveries, replays and concurrent handlers award once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import UUID

from appreciation import domain
from appreciation.domain import AwardTrigger, Match, Organisation, RuleKind, Task, Volunteer
from appreciation.unit_of_work import AppreciationUnitOfWork
from appreciation.use_cases._awarding import (
    RunFacts,
    RunStep,
    claim_run,
    due_in_run,
    ensure_centrales,
    evaluate,
    give,
    run_facts,
)
from common.clock import dutch_date
from common.uow import Origin
from contracts.events import VolunteerRegistered

__all__ = [
    "AwardAnniversaries",
    "EraseVolunteer",
    "FindAnniversaryCandidates",
    "RecordMatch",
    "RecordOrganisation",
    "RecordPartnerDay",
    "RecordTask",
    "RecordVolunteer",
    "TakeTurns",
    "anniversary_candidates",
    "award_anniversaries",
    "erase_volunteer",
    "record_match",
    "record_match_run",
    "record_organisation",
    "record_partner_day",
    "record_task",
    "record_volunteer",
    "record_volunteer_run",
    "take_turns",
]


@dataclass(frozen=True)
class RecordVolunteer:
    """A volunteer registered (``registered_at`` set) or their profile changed: keep centrale and age band."""

    volunteer_id: UUID
    centrale_id: str
    age_band: str | None
    registered_at: datetime | None
    trigger: AwardTrigger
    origin: Origin | None = None


@dataclass(frozen=True)
class TakeTurns:
    """The volunteers the events of one transaction are about (a consumer batch), before any of them is applied."""

    volunteer_ids: frozenset[UUID]


@dataclass(frozen=True)
class RecordMatch:
    """A match made; ``origin``: the trigger's, when not the unit of work's (a run of matches)."""

    match: Match
    trigger: AwardTrigger
    origin: Origin | None = None


@dataclass(frozen=True)
class RecordPartnerDay:
    """A business partner's team day with its hours logged."""

    partner_id: UUID
    day_id: UUID
    centrale_id: str
    participants: int
    trigger: AwardTrigger


@dataclass(frozen=True)
class RecordOrganisation:
    """An organisation registered."""

    organisation: Organisation


@dataclass(frozen=True)
class RecordTask:
    """A task posted or changed."""

    task: Task


@dataclass(frozen=True)
class EraseVolunteer:
    """A volunteer erased in the registry."""

    volunteer_id: UUID
    centrale_id: str
    erased_at: datetime


@dataclass(frozen=True)
class FindAnniversaryCandidates:
    """Who might have an anniversary by ``today``: registered a year or more ago, with hours."""

    today: date


@dataclass(frozen=True)
class AwardAnniversaries:
    """Award the anniversaries one volunteer reached by ``today``."""

    volunteer_id: UUID
    today: date


async def record_volunteer(command: RecordVolunteer, uow: AppreciationUnitOfWork) -> list[UUID]:
    """Keep the volunteer's age band (and registration day), then award what now holds."""
    await ensure_centrales(uow, [command.centrale_id])
    claimed = await uow.volunteers.claim({command.volunteer_id: command.centrale_id}, confirmed=True)
    volunteer = claimed.get(command.volunteer_id)
    if volunteer is None:
        return []  # erased: nothing is kept about them
    volunteer = _as_recorded(volunteer, command)
    await uow.volunteers.update(volunteer)
    return await evaluate(uow, volunteer, command.trigger)


def _as_recorded(volunteer: Volunteer, command: RecordVolunteer) -> Volunteer:
    """The volunteer with the command's age band, and its registration when it registers them."""
    if command.registered_at is None:
        return replace(volunteer, age_band=command.age_band)
    return replace(
        volunteer,
        age_band=command.age_band,
        registered_on=dutch_date(command.registered_at),
        registration_event_id=command.trigger.event_id,
    )


async def record_volunteer_run(commands: Sequence[RecordVolunteer], uow: AppreciationUnitOfWork) -> list[UUID]:
    """Keep a run of registrations and profile changes, awarding as ``record_volunteer`` one after the other would.

    A few statements whatever the run's length: the volunteers claimed at once (each with the centrale of
    their first event), each one's last state stored at once, the rules walked in memory event by event.
    """
    if not commands:
        return []
    claims = [(command.volunteer_id, command.centrale_id) for command in commands]
    volunteers, event_centrales = await claim_run(uow, claims, confirmed=True)
    kept = [command for command in commands if command.volunteer_id in volunteers]
    if not kept:
        return []  # every volunteer of the run is erased
    facts = await run_facts(uow, volunteers, event_centrales)
    steps = list(_volunteer_steps(kept, dict(volunteers), facts))
    # Each volunteer as their last event of the run left them (steps are in event order).
    await uow.volunteers.update_all(list({volunteer.id: volunteer for volunteer, *_ in steps}.values()))
    return await give(uow, due_in_run(steps, facts, uow.now()))


def _volunteer_steps(
    kept: Sequence[RecordVolunteer], volunteers: dict[UUID, Volunteer], facts: RunFacts
) -> Iterator[RunStep]:
    """Each registration or profile change with its volunteer as it leaves them (``volunteers`` follows)."""
    for command in kept:
        volunteer = volunteers[command.volunteer_id] = _as_recorded(volunteers[command.volunteer_id], command)
        yield volunteer, facts.of(volunteer, facts.matches.get(volunteer.id, 0)), command.trigger, command.origin


async def record_match(command: RecordMatch, uow: AppreciationUnitOfWork) -> list[UUID]:
    """Keep a match made (first match, and which organisations the volunteer serves); award what now holds."""
    match = command.match
    await ensure_centrales(uow, [match.volunteer_centrale_id])
    # A match names the volunteer's own centrale: it confirms a centrale guessed from hours.
    claimed = await uow.volunteers.claim({match.volunteer_id: match.volunteer_centrale_id}, confirmed=True)
    volunteer = claimed.get(match.volunteer_id)
    if volunteer is None:
        return []
    await uow.matches.add(match)
    return await evaluate(uow, volunteer, command.trigger)


async def record_match_run(commands: Sequence[RecordMatch], uow: AppreciationUnitOfWork) -> list[UUID]:
    """Keep a run of matches and award what each makes hold, as ``record_match`` one after the other would.

    A few statements whatever the run's length: the volunteers claimed at once (each with the centrale of
    their first match), the new matches stored at once, the rules walked in memory match by match.
    """
    if not commands:
        return []
    # A match names the volunteer's own centrale: it confirms a centrale guessed from hours.
    claims = [(command.match.volunteer_id, command.match.volunteer_centrale_id) for command in commands]
    volunteers, event_centrales = await claim_run(uow, claims, confirmed=True)
    kept = [command for command in commands if command.match.volunteer_id in volunteers]
    if not kept:
        return []
    # Counted before the run's matches are stored; the walk adds each new one where it comes.
    facts = await run_facts(uow, volunteers, event_centrales)
    new = await uow.matches.add_all([command.match for command in kept])
    steps = _match_steps(kept, volunteers, facts, new)
    return await give(uow, due_in_run(steps, facts, uow.now()))


def _match_steps(
    kept: Sequence[RecordMatch], volunteers: Mapping[UUID, Volunteer], facts: RunFacts, new: set[UUID]
) -> Iterator[RunStep]:
    """Each match with its volunteer's count once stored: a new id counts at its first event, a known id never."""
    counts = dict(facts.matches)
    uncounted = set(new)
    for command in kept:
        match = command.match
        if match.id in uncounted:
            uncounted.discard(match.id)
            counts[match.volunteer_id] = counts.get(match.volunteer_id, 0) + 1
        volunteer = volunteers[match.volunteer_id]
        yield volunteer, facts.of(volunteer, counts.get(match.volunteer_id, 0)), command.trigger, command.origin


async def record_partner_day(command: RecordPartnerDay, uow: AppreciationUnitOfWork) -> list[UUID]:
    """Thank a business partner for a team day, once per day, under the organisation's centrale's rules."""
    await ensure_centrales(uow, [command.centrale_id])
    rules = await uow.rules.active([command.centrale_id], [RuleKind.PARTNER_TEAM_DAY])
    now = uow.now()
    thanks = [
        (domain.award(rule, command.partner_id, "business_partner", str(command.day_id), command.trigger, now), None)
        for rule in rules
        if domain.partner_day_qualifies(rule, command.participants)
    ]
    return await give(uow, thanks)


async def record_organisation(command: RecordOrganisation, uow: AppreciationUnitOfWork) -> None:
    """Keep the organisation's name (certificates list where a volunteer served)."""
    await uow.organisations.save(command.organisation)


async def record_task(command: RecordTask, uow: AppreciationUnitOfWork) -> None:
    """Keep a task's theme and skills (certificates list tasks and the skills they used)."""
    await uow.organisations.save_task(command.task)


async def take_turns(command: TakeTurns, uow: AppreciationUnitOfWork) -> None:
    """Wait for the turn of every volunteer the transaction is about, in one order, before any use case runs.

    Each use case claims its volunteer's row when it runs, so a batch of events claims its volunteers in the
    order of its events. Two batches about the same volunteers in other orders (registrations on one topic,
    their matches on another) would each hold a row the other waits for; with the turns taken first, in one
    order, the second waits for the first as a whole. One volunteer cannot cross anyone: no turn is needed.
    """
    if len(command.volunteer_ids) > 1:
        await uow.volunteers.wait_turns(command.volunteer_ids)


async def erase_volunteer(command: EraseVolunteer, uow: AppreciationUnitOfWork) -> None:
    """Forget the volunteer: their facts go, awards, certificates and allowances stay as anonymous rows."""
    # The row lock first (the row created when there is none yet): an event for the volunteer applied
    # meanwhile waits for this transaction and then finds the tombstone.
    await uow.volunteers.hold_for_erasure(command.volunteer_id, command.centrale_id)
    await uow.volunteers.mark_erased(command.volunteer_id, command.erased_at)
    await uow.hours.forget_volunteer(command.volunteer_id)
    await uow.matches.forget_volunteer(command.volunteer_id)
    await uow.trainings.forget_volunteer(command.volunteer_id)
    await uow.volunteers.remove(command.volunteer_id)
    await uow.awards.anonymise(command.volunteer_id)
    await uow.certificates.anonymise(command.volunteer_id)
    await uow.allowances.anonymise(command.volunteer_id)


async def anniversary_candidates(query: FindAnniversaryCandidates, uow: AppreciationUnitOfWork) -> list[UUID]:
    """Volunteers registered at least a year before ``today`` who logged hours, by id."""
    registered = await uow.volunteers.registered_by(domain.add_months(query.today, -12))
    with_hours = await uow.hours.volunteers_with_hours(registered)
    return [volunteer_id for volunteer_id in registered if volunteer_id in with_hours]


async def award_anniversaries(command: AwardAnniversaries, uow: AppreciationUnitOfWork) -> list[UUID]:
    """Award the anniversaries the volunteer reached by ``today`` (events award them too, when they come after).

    The trigger is the volunteer's registration, the fact being celebrated, so the award is the same
    whichever run or event finds it first.
    """
    volunteer = await uow.volunteers.get(command.volunteer_id, lock=True)
    if volunteer is None or volunteer.registration_event_id is None:
        return []  # erased meanwhile
    trigger = AwardTrigger(volunteer.registration_event_id, VolunteerRegistered.event_type, command.today)
    return await evaluate(uow, volunteer, trigger, (RuleKind.ANNIVERSARY,))
