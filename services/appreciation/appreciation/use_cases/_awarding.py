"""What the use cases that award share: centrales get their default rules, volunteers' rules are evaluated
(for one event, or walked through a run of events in memory), new awards are stored and announced once."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Collection, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar
from uuid import UUID

from appreciation import domain
from appreciation.domain import Award, AwardTrigger, Rule, RuleKind, Volunteer, VolunteerFacts
from appreciation.unit_of_work import AppreciationUnitOfWork
from common.uow import Origin

__all__ = [
    "RunFacts",
    "RunStep",
    "answered_after",
    "awaits_own_centrale",
    "claim_run",
    "due_in_run",
    "ensure_centrales",
    "evaluate",
    "give",
    "run_facts",
]

T = TypeVar("T")


@asynccontextmanager
async def answered_after(statement: Awaitable[T]) -> AsyncIterator[asyncio.Future[T]]:
    """Send ``statement`` now and run the block while the database works on it; its answer is awaited after.

    The block must not use the transaction: it takes no other statement until this one has answered.
    """
    answer = asyncio.ensure_future(statement)
    await asyncio.sleep(0)  # the statement goes out now, before the block holds the event loop
    try:
        yield answer
    finally:
        await answer


async def ensure_centrales(uow: AppreciationUnitOfWork, centrale_ids: Collection[str]) -> None:
    """Remember the centrales; the first time one is seen, it gets the default rules as its own."""
    if not centrale_ids:
        return
    new = await uow.centrales.add_new(centrale_ids)
    if new:
        await uow.rules.add_all([rule for centrale_id in new for rule in domain.default_rules(centrale_id)])


async def give(uow: AppreciationUnitOfWork, awards: Sequence[tuple[Award, Origin | None]]) -> list[UUID]:
    """Store the awards not given before and announce each of those once; their ids.

    The CloudEvents id of ``AppreciationAwarded`` is the award id: should an award ever be published again
    (a rebuild into an empty database), consumers' inboxes recognise it. ``Origin``: the trigger's, when it
    is not the unit of work's (a run of events applied in one unit of work).
    """
    if not awards:
        return []
    added = await uow.awards.add_new([award for award, _ in awards])
    if len(added) == len(awards):
        announced = list(awards)  # every one new, the common case: no ids hashed to find out which
    else:
        new = {award.award_id for award in added}
        announced = [(award, origin) for award, origin in awards if award.award_id in new]
    await uow.announce(announced)
    return [award.award_id for award, _ in announced]


def awaits_own_centrale(volunteer: Volunteer) -> bool:
    """Whether the volunteer's awards wait: their centrale is a guess from a task's, their own not yet known.

    Hours name the task's centrale, and can arrive (another topic) before the volunteer's registration or
    match says theirs. Awarded under the guess, a volunteer placed at another centrale's task (regional
    overflow) had each milestone twice once their own centrale came: award ids name the centrale. The
    registration or match that confirms it evaluates every rule (level, not edge), so nothing is lost.
    """
    return not volunteer.centrale_confirmed


async def evaluate(
    uow: AppreciationUnitOfWork,
    volunteer: Volunteer,
    trigger: AwardTrigger,
    kinds: tuple[RuleKind, ...] = domain.VOLUNTEER_KINDS,
) -> list[UUID]:
    """Award every occurrence of the volunteer's centrale's active rules that holds now (level, not edge).

    Not while the volunteer's centrale is only guessed from a task's (``awaits_own_centrale``).
    """
    if awaits_own_centrale(volunteer):
        return []
    hours = await uow.hours.of_volunteers([volunteer.id])
    matches = (await uow.matches.counts([volunteer.id])).get(volunteer.id, 0)
    facts = VolunteerFacts(
        volunteer_id=volunteer.id,
        centrale_id=volunteer.centrale_id,
        age_band=volunteer.age_band,
        registered_on=volunteer.registered_on,
        matches=matches,
        hours=[(entry.worked_on, entry.hours) for entry in hours],
    )
    await ensure_centrales(uow, [volunteer.centrale_id])
    rules = await uow.rules.active([volunteer.centrale_id], kinds)
    now = uow.now()
    due = [
        (domain.award(rule, volunteer.id, "volunteer", occurrence, trigger, now), None)
        for rule, occurrence in domain.awards_due(rules, facts, trigger.on)
    ]
    return await give(uow, due)


RunStep = tuple[Volunteer, VolunteerFacts, AwardTrigger, Origin | None]
"""One event of a run as the rules see it: its volunteer, their facts once it is applied, its trigger and origin."""


@dataclass(frozen=True)
class RunFacts:
    """What a run's volunteers had before the run: hours by entry id, matches, their centrales' rules, awards."""

    worked: dict[UUID, dict[UUID, tuple[date, Decimal]]]
    matches: dict[UUID, int]
    rules: dict[str, list[Rule]]
    # (recipient, centrale, rule, occurrence) of every award they have; the run's own are added as it is walked.
    given: set[tuple[UUID, str, str, str]]

    def of(self, volunteer: Volunteer, matches: int) -> VolunteerFacts:
        """What the rules see of ``volunteer`` with ``matches`` matches and the hours in ``worked`` now."""
        # Positional (volunteer, centrale, age band, registration, matches, hours): built for every event.
        return VolunteerFacts(
            volunteer.id,
            volunteer.centrale_id,
            volunteer.age_band,
            volunteer.registered_on,
            matches,
            list(self.worked[volunteer.id].values()),
        )


async def claim_run(
    uow: AppreciationUnitOfWork, claims: Sequence[tuple[UUID, str]], *, confirmed: bool
) -> tuple[dict[UUID, Volunteer], set[str]]:
    """Claim a run's volunteers at once, each with the centrale of their first event, as event by event would.

    ``claims``: (volunteer, centrale) of each event in order. Returns the volunteers not erased and the
    centrales the events name (each remembered, with its default rules when new).
    """
    centrales = {centrale_id for _, centrale_id in claims}
    await ensure_centrales(uow, centrales)
    first: dict[UUID, str] = {}
    for volunteer_id, centrale_id in claims:
        first.setdefault(volunteer_id, centrale_id)
    return await uow.volunteers.claim(first, confirmed=confirmed), centrales


async def run_facts(
    uow: AppreciationUnitOfWork, volunteers: Mapping[UUID, Volunteer], known_centrales: Collection[str]
) -> RunFacts:
    """The claimed ``volunteers``' facts in four statements; ``known_centrales``: already ensured by the caller."""
    ids = list(volunteers)
    worked: dict[UUID, dict[UUID, tuple[date, Decimal]]] = {volunteer_id: {} for volunteer_id in ids}
    for volunteer_id, entry_id, worked_on, hours in await uow.hours.worked(ids):
        worked[volunteer_id][entry_id] = (worked_on, hours)
    matches = await uow.matches.counts(ids)
    centrales = {volunteer.centrale_id for volunteer in volunteers.values()}
    await ensure_centrales(uow, centrales - set(known_centrales))
    rules: dict[str, list[Rule]] = defaultdict(list)
    for rule in await uow.rules.active(centrales, domain.VOLUNTEER_KINDS):
        rules[rule.centrale_id].append(rule)
    return RunFacts(worked, matches, rules, await uow.awards.given(ids))


def due_in_run(steps: Iterable[RunStep], facts: RunFacts, now: datetime) -> list[tuple[Award, Origin | None]]:
    """The awards a run's events make hold, event by event, each with the trigger of the first that did.

    What ``evaluate`` after each event would give, without a statement per event: an award already given
    (before or earlier in the run) is not given again, and a once-only rule given is not evaluated again.
    """
    given = facts.given
    # The (centrale, rule) of each volunteer's once-only awards from before the run: their rules start closed.
    given_once: dict[UUID, set[tuple[str, str]]] = defaultdict(set)
    for recipient_id, centrale_id, rule_id, occurrence in given:
        if occurrence == "":
            given_once[recipient_id].add((centrale_id, rule_id))
    open_rules: dict[UUID, list[Rule]] = {}
    due: list[tuple[Award, Origin | None]] = []
    for volunteer, volunteer_facts, trigger, origin in steps:
        if awaits_own_centrale(volunteer):
            continue
        candidates = open_rules.get(volunteer.id)
        if candidates is None:
            centrale_rules = facts.rules.get(volunteer.centrale_id, [])
            closed = given_once.get(volunteer.id)
            candidates = open_rules[volunteer.id] = (
                [rule for rule in centrale_rules if (rule.centrale_id, rule.rule_id) not in closed]
                if closed
                else list(centrale_rules)
            )
        for rule, occurrence in domain.awards_due(candidates, volunteer_facts, trigger.on):
            key = (volunteer.id, rule.centrale_id, rule.rule_id, occurrence)
            if key not in given:
                given.add(key)
                due.append((domain.award(rule, volunteer.id, "volunteer", occurrence, trigger, now), origin))
                if occurrence == "":
                    # Once-only, now given. NLdoet's occurrences are years: it stays open for the next one.
                    candidates.remove(rule)
    return due
