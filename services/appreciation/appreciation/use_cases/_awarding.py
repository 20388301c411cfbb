"""What the use cases that award share: centrales get their default rules, volunteers' rules are evaluated,
new awards are stored and announced once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Collection, Sequence
from contextlib import asynccontextmanager
from typing import TypeVar
from uuid import UUID

from appreciation import domain
from appreciation.domain import Award, AwardTrigger, RuleKind, Volunteer, VolunteerFacts
from appreciation.unit_of_work import AppreciationUnitOfWork
from common.uow import Origin

__all__ = ["answered_after", "ensure_centrales", "evaluate", "give"]

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


async def evaluate(
    uow: AppreciationUnitOfWork,
    volunteer: Volunteer,
    trigger: AwardTrigger,
    kinds: tuple[RuleKind, ...] = domain.VOLUNTEER_KINDS,
) -> list[UUID]:
    """Award every occurrence of the volunteer's centrale's active rules that holds now (level, not edge)."""
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
