"""Appreciation's event subscribers: translate the event, call one use case, log one fact."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID
from zoneinfo import ZoneInfo

from appreciation.config import SERVICE
from appreciation.domain import AwardTrigger, HoursEntry, Match, Organisation, Task
from appreciation.domain.trainings import Attendance, Training
from appreciation.unit_of_work import PostgresAppreciationUnitOfWork
from appreciation.use_cases import awards, history, hours, trainings
from common.auth import register_credential_projection
from common.clock import SystemClock, dutch_date
from common.consumer import BatchContext, EventConsumer
from common.logging import get_logger
from common.uow import Origin
from contracts import Event, EventEnvelope
from contracts.events import (
    HistoricHoursImported,
    HoursCorrected,
    HoursLogged,
    HoursRejected,
    MatchMade,
    OrganisationRegistered,
    TaskPosted,
    TaskUpdated,
    TrainingAttendanceRecorded,
    TrainingCancelled,
    TrainingScheduled,
    TrainingUpdated,
    VolunteerDayHoursLogged,
    VolunteerErased,
    VolunteerProfileUpdated,
    VolunteerRegistered,
)

__all__ = ["hours_entry", "match_record", "register_handlers", "take_turns", "trigger_of", "volunteer_record"]

log = get_logger(__name__)

Uow = PostgresAppreciationUnitOfWork
# A run handler gets the batch's transaction, not a unit of work; it builds appreciation's on it.
_CLOCK = SystemClock()
_DUTCH_TIME = ZoneInfo("Europe/Amsterdam")


def trigger_of(envelope: EventEnvelope, *, historic: bool = False) -> AwardTrigger:
    """The incoming event as the trigger of what it awards, dated by when its fact happened.

    ``historic``: the event brings history in (an import), so what it makes hold is awarded as history.
    """
    return AwardTrigger(envelope.id, envelope.type, dutch_date(envelope.time), historic)


def _log_awards(awarded: Sequence[UUID], **facts: object) -> None:
    if awarded:
        log.info("appreciation_awarded", awards=[str(a) for a in awarded], **facts)


def volunteer_record(event: VolunteerRegistered, envelope: EventEnvelope) -> awards.RecordVolunteer:
    """The registration as appreciation records it (an imported one awards as history)."""
    trigger = trigger_of(envelope, historic=event.imported)
    origin = Origin.of_event(envelope, SERVICE)
    return awards.RecordVolunteer(
        event.volunteer_id, event.centrale_id, event.age_band, event.registered_at, trigger, origin
    )


async def on_volunteers_registered(events: Sequence[VolunteerRegistered], batch: BatchContext) -> None:
    """Know the volunteers' centrale, age band and registration day (anniversaries, MDT): a run at a time."""
    commands = [volunteer_record(event, envelope) for event, envelope in zip(events, batch.envelopes, strict=True)]
    uow = PostgresAppreciationUnitOfWork(batch.conn, Origin.of_event(batch.envelopes[0], SERVICE), _CLOCK)
    _log_awards(await awards.record_volunteer_run(commands, uow), registrations=len(events))


async def on_volunteer_profile_updated(event: VolunteerProfileUpdated, uow: Uow) -> None:
    """Follow the age band (MDT counts only at MDT age)."""
    trigger = trigger_of(uow.envelope, historic=event.imported)
    command = awards.RecordVolunteer(event.volunteer_id, event.centrale_id, event.age_band, None, trigger)
    _log_awards(await awards.record_volunteer(command, uow), volunteer_id=str(event.volunteer_id))


async def on_volunteer_erased(event: VolunteerErased, uow: Uow) -> None:
    """Forget the volunteer; awards, certificates and allowances stay as anonymous rows."""
    await awards.erase_volunteer(awards.EraseVolunteer(event.volunteer_id, event.centrale_id, event.erased_at), uow)
    log.info("volunteer_forgotten", volunteer_id=str(event.volunteer_id))


async def on_organisation_registered(event: OrganisationRegistered, uow: Uow) -> None:
    """Keep the organisation's name for certificates."""
    organisation = Organisation(event.organisation_id, event.centrale_id, event.organisation_name)
    await awards.record_organisation(awards.RecordOrganisation(organisation), uow)


async def on_task_posted(event: TaskPosted, uow: Uow) -> None:
    """Keep the task's theme and skills for certificates."""
    task = Task(event.task_id, event.organisation_id, event.centrale_id, event.theme, tuple(event.skills))
    await awards.record_task(awards.RecordTask(task), uow)


async def on_task_updated(event: TaskUpdated, uow: Uow) -> None:
    """Follow the task's theme and skills."""
    task = Task(event.task_id, event.organisation_id, event.centrale_id, event.theme, tuple(event.skills))
    await awards.record_task(awards.RecordTask(task), uow)


def match_record(event: MatchMade, envelope: EventEnvelope) -> awards.RecordMatch:
    """The match as appreciation records it."""
    match = Match(
        id=event.match_id,
        volunteer_id=event.volunteer_id,
        task_id=event.task_id,
        organisation_id=event.organisation_id,
        centrale_id=event.centrale_id,
        volunteer_centrale_id=event.volunteer_centrale_id,
        made_at=event.made_at,
    )
    return awards.RecordMatch(match, trigger_of(envelope), Origin.of_event(envelope, SERVICE))


async def on_matches_made(events: Sequence[MatchMade], batch: BatchContext) -> None:
    """Matches made: the first one is celebrated, and they tell which organisations a volunteer serves."""
    commands = [match_record(event, envelope) for event, envelope in zip(events, batch.envelopes, strict=True)]
    uow = PostgresAppreciationUnitOfWork(batch.conn, Origin.of_event(batch.envelopes[0], SERVICE), _CLOCK)
    _log_awards(await awards.record_match_run(commands, uow), matches=len(events))


def hours_entry(event: HoursLogged, envelope: EventEnvelope) -> HoursEntry:
    """The hours entry an HoursLogged event reports."""
    # Positional, in the order of HoursEntry's fields: built for every entry of a burst of hours.
    return HoursEntry(
        event.hours_id,
        event.volunteer_id,
        event.match_id,
        event.task_id,
        event.organisation_id,
        event.centrale_id,
        event.theme,
        event.worked_on,
        event.hours,
        envelope.id,
    )


async def on_hours_logged(events: Sequence[HoursLogged], batch: BatchContext) -> None:
    """Hours count once per entry towards milestones, NLdoet and MDT: a run of entries in a few statements."""
    commands = [
        hours.RecordHours(hours_entry(event, envelope), trigger_of(envelope), Origin.of_event(envelope, SERVICE))
        for event, envelope in zip(events, batch.envelopes, strict=True)
    ]
    uow = PostgresAppreciationUnitOfWork(batch.conn, Origin.of_event(batch.envelopes[0], SERVICE), _CLOCK)
    awarded = await hours.record_hours_run(commands, uow)
    _log_awards(awarded, hours_entries=len(events))


async def on_historic_hours_imported(event: HistoricHoursImported, uow: Uow) -> None:
    """Hours from before the platform count towards every rule; what they make hold is awarded as history."""
    entries = [
        HoursEntry(
            id=entry.hours_id,
            volunteer_id=event.volunteer_id,
            match_id=None,
            task_id=entry.task_id,
            organisation_id=entry.organisation_id,
            centrale_id=event.centrale_id,
            theme=entry.theme,
            worked_on=entry.worked_on,
            hours=entry.hours,
            event_id=uow.envelope.id,
        )
        for entry in event.entries
    ]
    command = history.RecordHistoricHours(
        event.volunteer_id, event.centrale_id, entries, trigger_of(uow.envelope, historic=True)
    )
    awarded = await history.record_historic_hours(command, uow)
    _log_awards(awarded, volunteer_id=str(event.volunteer_id), historic_entries=len(entries))


async def on_hours_corrected(event: HoursCorrected, uow: Uow) -> None:
    """Totals and later milestones follow the corrected amount; a thank-you already sent stays sent."""
    trigger = trigger_of(uow.envelope)
    command = hours.CorrectHours(event.hours_id, event.volunteer_id, event.hours, event.counted, trigger)
    awarded = await hours.correct_hours(command, uow)
    _log_awards(awarded, volunteer_id=str(event.volunteer_id), hours_id=str(event.hours_id))


async def on_hours_rejected(event: HoursRejected, uow: Uow) -> None:
    """A rejected entry stops counting towards milestones, NLdoet and MDT (and certificates)."""
    await hours.reject_hours(hours.RejectHours(event.hours_id, event.volunteer_id, event.counted), uow)
    log.info("hours_withdrawn", volunteer_id=str(event.volunteer_id), hours_id=str(event.hours_id))


async def on_volunteer_day_hours_logged(event: VolunteerDayHoursLogged, uow: Uow) -> None:
    """Thank the business partner for its team's day."""
    command = awards.RecordPartnerDay(
        event.partner_id, event.day_id, event.centrale_id, event.participants, trigger_of(uow.envelope)
    )
    awarded = await awards.record_partner_day(command, uow)
    _log_awards(awarded, partner_id=str(event.partner_id), day_id=str(event.day_id))


async def on_training(event: TrainingScheduled | TrainingUpdated, uow: Uow) -> None:
    """Keep a training's title, kind and first day (the certificate lists the trainings followed)."""
    first_day = min(session.starts_at for session in event.sessions).astimezone(_DUTCH_TIME).date()
    training = Training(event.training_id, event.centrale_id, event.title, event.kind, first_day)
    await trainings.record_training(trainings.RecordTraining(training), uow)


async def on_training_cancelled(event: TrainingCancelled, uow: Uow) -> None:
    """The training does not go ahead."""
    await trainings.cancel_training(trainings.CancelTraining(event.training_id), uow)


async def on_training_attendance_recorded(event: TrainingAttendanceRecorded, uow: Uow) -> None:
    """A volunteer attended a training (or did not): the record and the certificate follow."""
    if event.volunteer_id is None:
        return  # an organisation's people: not on anyone's record
    attendance = Attendance(
        event.booking_id,
        event.training_id,
        event.volunteer_id,
        event.centrale_id,
        event.attended,
        event.attended_on,
        event.recorded_at,
    )
    if await trainings.record_attendance(trainings.RecordAttendance(attendance), uow):
        log.info("training_attendance_recorded", training_id=str(event.training_id), attended=event.attended)


async def take_turns(events: Sequence[Event], batch: BatchContext) -> None:
    """Before a batch's first handler: the turn of every volunteer its events are about (one order for all)."""
    # Every event about a volunteer names them in ``volunteer_id`` (an organisation's attendance: None).
    volunteer_ids = frozenset(
        volunteer_id for event in events if isinstance(volunteer_id := getattr(event, "volunteer_id", None), UUID)
    )
    uow = PostgresAppreciationUnitOfWork(batch.conn, Origin.of_event(batch.envelopes[0], SERVICE), _CLOCK)
    await awards.take_turns(awards.TakeTurns(volunteer_ids), uow)


def register_handlers(consumer: EventConsumer) -> None:
    """Attach appreciation's subscribers to its consumer."""
    consumer.before_runs(take_turns)
    consumer.on_batch(VolunteerRegistered)(on_volunteers_registered)
    consumer.on(VolunteerProfileUpdated)(on_volunteer_profile_updated)
    consumer.on(VolunteerErased)(on_volunteer_erased)
    consumer.on(OrganisationRegistered)(on_organisation_registered)
    consumer.on(TaskPosted)(on_task_posted)
    consumer.on(TaskUpdated)(on_task_updated)
    consumer.on_batch(MatchMade)(on_matches_made)
    consumer.on_batch(HoursLogged)(on_hours_logged)
    consumer.on(HistoricHoursImported)(on_historic_hours_imported)
    consumer.on(HoursCorrected)(on_hours_corrected)
    consumer.on(HoursRejected)(on_hours_rejected)
    consumer.on(VolunteerDayHoursLogged)(on_volunteer_day_hours_logged)
    consumer.on(TrainingScheduled)(on_training)
    consumer.on(TrainingUpdated)(on_training)
    consumer.on(TrainingCancelled)(on_training_cancelled)
    consumer.on(TrainingAttendanceRecorded)(on_training_attendance_recorded)
    register_credential_projection(consumer)
