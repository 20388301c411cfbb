"""Matching's subscribers: each turns a registry event into a command and runs one use case."""

from __future__ import annotations

from datetime import date

from common.auth import register_credential_projection
from common.consumer import EventConsumer
from contracts.events import (
    BeursvloerOfferClosed,
    BeursvloerOfferPosted,
    BeursvloerRequestClosed,
    BeursvloerRequestPosted,
    BusinessPartnerRegistered,
    TaskClosed,
    TaskPosted,
    TaskUpdated,
    VolunteerDayPosted,
    VolunteerErased,
    VolunteerProfileUpdated,
    VolunteerRegistered,
)
from matching.commands import (
    CloseBeursPosting,
    CloseTask,
    EraseVolunteer,
    MatchTeamDay,
    RecordBeursPosting,
    RecordPartner,
    RecordPostedTask,
    RecordTaskUpdate,
    RecordVolunteer,
)
from matching.domain.beursvloer import BeursPosting, PostingSide
from matching.domain.model import TaskFacts, VolunteerDay, VolunteerFacts
from matching.domain.schedule import dated_slots
from matching.unit_of_work import PostgresMatchingUnitOfWork
from matching.use_cases import (
    close_beurs_posting,
    close_task,
    erase_volunteer,
    match_team_day,
    record_beurs_posting,
    record_partner,
    record_posted_task,
    record_task_update,
    record_volunteer,
)

__all__ = ["on_beurs_closed", "on_beurs_posted", "register"]


def _volunteer(event: VolunteerRegistered | VolunteerProfileUpdated) -> VolunteerFacts:
    return VolunteerFacts(
        volunteer_id=event.volunteer_id,
        centrale_id=event.centrale_id,
        postcode_area=event.postcode_area,
        skills=event.skills,
        interests=event.interests,
        languages=event.languages,
        availability=event.availability,
        one_off_dates=event.one_off_dates,
        max_distance_km=event.max_distance_km,
        commitment=event.commitment,
        needs_support=event.needs_support,
        matching_consent=event.matching_consent,
        regional_consent=event.regional_matching_consent,
        vog_valid_until=event.vog_valid_until,
    )


def _task(event: TaskPosted | TaskUpdated, today: date) -> TaskFacts:
    """The task's facts; its dated shifts in the coming weeks count as the hours it needs, beside weekly ones."""
    return TaskFacts(
        task_id=event.task_id,
        organisation_id=event.organisation_id,
        centrale_id=event.centrale_id,
        theme=event.theme,
        capacity=event.capacity,
        vog_required=event.vog_required,
        skills=event.skills,
        postcode_area=event.postcode_area,
        shifts=[*event.shifts, *dated_slots(event.dated_shifts, today)],
        one_off_start=event.one_off_start,
        one_off_end=event.one_off_end,
        team_suitable=event.team_suitable,
        support_accessible=event.support_accessible,
        closing_date=event.closing_date,
    )


async def on_volunteer(event: VolunteerRegistered | VolunteerProfileUpdated, uow: PostgresMatchingUnitOfWork) -> None:
    """A new or changed profile: store it, then re-evaluate the volunteer for open tasks."""
    await record_volunteer(RecordVolunteer(_volunteer(event), replayed=await uow.replaying()), uow)


async def on_volunteer_erased(event: VolunteerErased, uow: PostgresMatchingUnitOfWork) -> None:
    """Erased: the volunteer disappears from every proposal and from the read model."""
    await erase_volunteer(EraseVolunteer(event.volunteer_id), uow)


async def on_task_posted(event: TaskPosted, uow: PostgresMatchingUnitOfWork) -> None:
    """A published task: store it and propose its best candidates."""
    await record_posted_task(RecordPostedTask(_task(event, uow.today()), posted_at=event.posted_at), uow)


async def on_task_updated(event: TaskUpdated, uow: PostgresMatchingUnitOfWork) -> None:
    """Keep the task's facts current."""
    await record_task_update(RecordTaskUpdate(_task(event, uow.today())), uow)


async def on_task_closed(event: TaskClosed, uow: PostgresMatchingUnitOfWork) -> None:
    """Filled, closed or expired: pending proposals expire."""
    await close_task(CloseTask(event.task_id, event.reason), uow)


async def on_volunteer_day_posted(event: VolunteerDayPosted, uow: PostgresMatchingUnitOfWork) -> None:
    """A business partner's team day: find a task with room for the whole team."""
    day = VolunteerDay(
        day_id=event.day_id,
        partner_id=event.partner_id,
        team_size=event.team_size,
        on_date=event.on_date,
        skills=event.skills,
        themes=event.themes,
        postcode_area=event.postcode_area,
        centrale_id=event.centrale_id,
        posted_at=event.posted_at,
    )
    await match_team_day(MatchTeamDay(day), uow)


async def on_business_partner_registered(event: BusinessPartnerRegistered, uow: PostgresMatchingUnitOfWork) -> None:
    """A partner's name, so staff brokering its team days know whose team it is."""
    await record_partner(RecordPartner(event.partner_id, event.partner_name), uow)


def _posting(event: BeursvloerOfferPosted | BeursvloerRequestPosted) -> BeursPosting:
    """The offer or request as matching keeps it."""
    if isinstance(event, BeursvloerOfferPosted):
        side, posting_id, owner_id, by_when = PostingSide.OFFER, event.offer_id, event.partner_id, event.available_until
    else:
        side, posting_id, owner_id, by_when = (
            PostingSide.REQUEST,
            event.request_id,
            event.organisation_id,
            event.needed_by,
        )
    return BeursPosting(
        posting_id=posting_id,
        side=side,
        owner_id=owner_id,
        centrale_id=event.centrale_id,
        category=event.category,
        posted_at=event.posted_at,
        event_id=event.event_id,
        tags=frozenset(event.tags),
        quantity=event.quantity,
        hours=event.hours,
        postcode_area=event.postcode_area,
        by_when=by_when,
    )


async def on_beurs_posted(
    event: BeursvloerOfferPosted | BeursvloerRequestPosted, uow: PostgresMatchingUnitOfWork
) -> None:
    """An offer or request on the Beursvloer: keep it and propose its best pairs."""
    await record_beurs_posting(RecordBeursPosting(_posting(event)), uow)


async def on_beurs_closed(
    event: BeursvloerOfferClosed | BeursvloerRequestClosed, uow: PostgresMatchingUnitOfWork
) -> None:
    """An offer or request left the floor: it pairs no more."""
    posting_id = event.offer_id if isinstance(event, BeursvloerOfferClosed) else event.request_id
    await close_beurs_posting(CloseBeursPosting(posting_id, event.closed_at), uow)


def register(consumer: EventConsumer) -> None:
    """Attach every subscriber to matching's consumer."""
    consumer.on(VolunteerRegistered)(on_volunteer)
    consumer.on(VolunteerProfileUpdated)(on_volunteer)
    consumer.on(VolunteerErased)(on_volunteer_erased)
    consumer.on(TaskPosted)(on_task_posted)
    consumer.on(TaskUpdated)(on_task_updated)
    consumer.on(TaskClosed)(on_task_closed)
    consumer.on(VolunteerDayPosted)(on_volunteer_day_posted)
    consumer.on(BusinessPartnerRegistered)(on_business_partner_registered)
    consumer.on(BeursvloerOfferPosted)(on_beurs_posted)
    consumer.on(BeursvloerRequestPosted)(on_beurs_posted)
    consumer.on(BeursvloerOfferClosed)(on_beurs_closed)
    consumer.on(BeursvloerRequestClosed)(on_beurs_closed)
    register_credential_projection(consumer)
