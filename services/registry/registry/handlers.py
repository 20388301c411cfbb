"""Registry's subscribers: matching's outcomes become part of the record (and tell the people concerned).

Appreciation's awards are subscribed by ``registry.notifications`` (``main._subscribe``)."""

from __future__ import annotations

from dataclasses import replace

from common.consumer import EventConsumer
from contracts.events import (
    BeursvloerPairProposed,
    MatchAccepted,
    MatchAgreed,
    MatchApproved,
    MatchDeclined,
    MatchEnded,
    MatchExpired,
    MatchMade,
    MatchProposed,
    VolunteerDayMatched,
)
from registry.unit_of_work import PostgresRegistryUnitOfWork
from registry.use_cases import beursvloer, conversation, partners
from registry.use_cases.conversation import MatchFacts, MatchStep, RecordMatchStep

__all__ = ["MatchEvent", "on_match_event", "on_pair_proposed", "on_volunteer_day_matched", "register_handlers"]

MatchEvent = (
    MatchProposed | MatchApproved | MatchAccepted | MatchAgreed | MatchMade | MatchDeclined | MatchExpired | MatchEnded
)


def _facts(event: MatchEvent) -> MatchFacts:
    return MatchFacts(
        event.match_id,
        event.task_id,
        event.volunteer_id,
        event.organisation_id,
        event.centrale_id,
        event.volunteer_centrale_id,
    )


def _step(event: MatchEvent, uow: PostgresRegistryUnitOfWork) -> RecordMatchStep:
    """The step an event reports, with who and why where it says."""
    facts, event_id = _facts(event), uow.envelope.id
    if isinstance(event, MatchProposed):
        return RecordMatchStep(
            MatchStep.PROPOSED, facts, event.proposed_at, event_id, via=event.via, needs_consulent=event.needs_consulent
        )
    if isinstance(event, MatchApproved):
        return RecordMatchStep(MatchStep.APPROVED, facts, event.approved_at, event_id)
    if isinstance(event, MatchAccepted):
        return RecordMatchStep(MatchStep.ACCEPTED, facts, event.accepted_at, event_id, by=event.accepted_by)
    if isinstance(event, MatchAgreed):
        return RecordMatchStep(MatchStep.AGREED, facts, event.agreed_at, event_id, by=event.agreed_by)
    if isinstance(event, MatchMade):
        return RecordMatchStep(MatchStep.MADE, facts, event.made_at, event_id)
    if isinstance(event, MatchDeclined):
        return RecordMatchStep(MatchStep.DECLINED, facts, event.declined_at, event_id, by=event.declined_by)
    if isinstance(event, MatchExpired):
        return RecordMatchStep(MatchStep.EXPIRED, facts, event.expired_at, event_id)
    return RecordMatchStep(MatchStep.ENDED, facts, event.ended_at, event_id, by=event.ended_by, reason=event.reason)


async def on_match_event(event: MatchEvent, uow: PostgresRegistryUnitOfWork) -> None:
    """Keep the proposal's step (a match made is recorded for hours and fills its task at capacity) and tell the
    people concerned."""
    step = _step(event, uow)
    if isinstance(event, MatchProposed) and not event.needs_consulent:
        # Matching no longer says so on its topic (a support need under the volunteer's id would outlive their
        # erasure there, issue 16): a consulent mediates when the profile the registry holds needs support.
        # Events from before still carry the flag, and it stands.
        volunteer = await uow.volunteers.get(event.volunteer_id)
        step = replace(step, needs_consulent=volunteer is not None and volunteer.needs_support)
    await conversation.record_match_step(step, uow)


async def on_volunteer_day_matched(event: VolunteerDayMatched, uow: PostgresRegistryUnitOfWork) -> None:
    """Show the partner which task its team day was matched to (and tell its webhook)."""
    cmd = partners.RecordVolunteerDayMatch(
        event.day_id, event.task_id, event.organisation_id, event.centrale_id, via=event.via or "matching"
    )
    await partners.record_volunteer_day_match(cmd, uow)


async def on_pair_proposed(event: BeursvloerPairProposed, uow: PostgresRegistryUnitOfWork) -> None:
    """Show a Beursvloer pair matching proposed on the board and to both parties."""
    cmd = beursvloer.RecordPair(
        event.pair_id,
        event.offer_id,
        event.request_id,
        event.centrale_id,
        event.event_id,
        event.score,
        list(event.reasons),
        event.proposed_at,
    )
    await beursvloer.record_pair(cmd, uow)


def register_handlers(consumer: EventConsumer) -> None:
    """Attach the registry's subscribers to its consumer."""
    consumer.on(MatchProposed)(on_match_event)
    consumer.on(MatchApproved)(on_match_event)
    consumer.on(MatchAccepted)(on_match_event)
    consumer.on(MatchAgreed)(on_match_event)
    consumer.on(MatchMade)(on_match_event)
    consumer.on(MatchDeclined)(on_match_event)
    consumer.on(MatchExpired)(on_match_event)
    consumer.on(MatchEnded)(on_match_event)
    consumer.on(VolunteerDayMatched)(on_volunteer_day_matched)
    consumer.on(BeursvloerPairProposed)(on_pair_proposed)
