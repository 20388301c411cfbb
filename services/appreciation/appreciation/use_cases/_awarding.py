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
from common.uow import Origin, Outgoing
from contracts.events import AppreciationAwarded

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
    # The announcements are built while the database stores the awards; only the new awards' are queued.
    async with answered_after(uow.awards.add_new([award for award, _ in awards])) as storing:
        announcements = {
            award.award_id: Outgoing(
                _announcement(award), tenant=award.centrale_id, event_id=award.award_id, origin=origin
            )
            for award, origin in awards
        }
    new = storing.result()
    await uow.emit_all([announcements[award.award_id] for award in new])
    return [award.award_id for award in new]


def _announcement(award: Award) -> AppreciationAwarded:
    assert award.recipient_id is not None, "a new award has its recipient"
    return AppreciationAwarded(
        award_id=award.award_id,
        recipient_id=award.recipient_id,
        recipient_kind=award.recipient_kind,
        centrale_id=award.centrale_id,
        rule_id=award.rule_id,
        rule_kind=award.rule_kind.value,
        title=award.title,
        trigger_event_id=award.trigger_event_id,
        trigger_event_type=award.trigger_event_type,
        awarded_at=award.awarded_at,
        historic=award.historic,
    )


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
