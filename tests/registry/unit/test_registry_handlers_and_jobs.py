"""The registry's entrypoints other than HTTP: each handler and job translates and calls one use case."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, time, timedelta
from typing import Any, cast
from uuid import uuid4

from common.jobs import DailyAt, JobContext
from contracts import Event, EventEnvelope
from contracts.events import (
    AppreciationAwarded,
    MatchAccepted,
    MatchAgreed,
    MatchApproved,
    MatchDeclined,
    MatchEnded,
    MatchExpired,
    MatchMade,
    MatchProposed,
    TaskClosed,
    VolunteerDayMatched,
)
from registry.config import Settings
from registry.handlers import MatchEvent, on_match_event, on_volunteer_day_matched
from registry.jobs import JOBS, ask_check_ins, expire_overdue_tasks, remind
from registry.notifications.subscriber import on_appreciation_awarded
from registry.unit_of_work import PostgresRegistryUnitOfWork
from tests.registry.builders import (
    NOW,
    a_centrale,
    a_partner,
    a_proposal,
    a_task,
    a_volunteer,
    a_volunteer_day,
    an_organisation,
)
from tests.registry.fakes import FakeRegistryUnitOfWork


async def _published_task(uow: FakeRegistryUnitOfWork, **overrides: Any) -> Any:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    organisation = an_organisation(centrale.id)
    await uow.organisations.add(organisation)
    task = a_task(centrale.id, organisation.id, status="published", **overrides)
    await uow.tasks.add(task)
    return task


def _delivered(uow: FakeRegistryUnitOfWork, event: Event) -> PostgresRegistryUnitOfWork:
    """The fake as a handler gets it, applying ``event`` (its envelope set as the consumer sets it)."""
    uow.envelope = EventEnvelope(
        source="/regions/testregio/matching", type=event.event_type, subject=event.subject(), tenant="vc", region="r"
    )
    return cast(PostgresRegistryUnitOfWork, uow)


async def test_match_made_is_recorded_and_fills_the_task(uow: FakeRegistryUnitOfWork) -> None:
    task = await _published_task(uow, capacity=1)
    event = MatchMade(
        match_id=uuid4(),
        task_id=task.id,
        volunteer_id=uuid4(),
        organisation_id=task.organisation_id,
        centrale_id=task.centrale_id,
        volunteer_centrale_id=task.centrale_id,
        made_at=NOW,
    )
    await on_match_event(event, _delivered(uow, event))
    assert event.match_id in uow.tables.matches
    assert (uow.tables.proposals[event.match_id].status, uow.tables.proposals[event.match_id].made_at) == ("made", NOW)
    [closed] = uow.events(TaskClosed)
    assert isinstance(closed, TaskClosed)
    assert closed.reason == "filled"


async def test_a_proposal_waits_for_a_consulent_when_the_profile_the_registry_holds_needs_support(
    uow: FakeRegistryUnitOfWork,
) -> None:
    """Matching no longer states the support need on its topic (issue 16): the registry reads its own profile."""
    task = await _published_task(uow, capacity=3)
    supported = a_volunteer(task.centrale_id, needs_support=True)
    independent = a_volunteer(task.centrale_id, needs_support=False)
    for volunteer in (supported, independent):
        await uow.volunteers.add(volunteer)
    proposals = {}
    for volunteer in (supported, independent):
        event = MatchProposed(
            match_id=uuid4(), task_id=task.id, volunteer_id=volunteer.id, organisation_id=task.organisation_id,
            centrale_id=task.centrale_id, volunteer_centrale_id=task.centrale_id, score=0.8, proposed_at=NOW,
        )  # fmt: skip
        await on_match_event(event, _delivered(uow, event))
        proposals[volunteer.id] = uow.tables.proposals[event.match_id].needs_consulent

    assert proposals == {supported.id: True, independent.id: False}


async def test_every_match_event_is_one_step_of_the_proposal_with_who_and_why(uow: FakeRegistryUnitOfWork) -> None:
    task = await _published_task(uow, capacity=3)
    volunteer = a_volunteer(task.centrale_id)
    await uow.volunteers.add(volunteer)
    facts: dict[str, Any] = {
        "task_id": task.id, "volunteer_id": volunteer.id, "organisation_id": task.organisation_id,
        "centrale_id": task.centrale_id, "volunteer_centrale_id": task.centrale_id,
    }  # fmt: skip
    made, declined, expired = uuid4(), uuid4(), uuid4()
    events: list[MatchEvent] = [
        MatchProposed(match_id=made, score=0.9, via="interest", needs_consulent=True, proposed_at=NOW, **facts),
        MatchApproved(match_id=made, approved_at=NOW, **facts),
        MatchAgreed(match_id=made, agreed_by="volunteer", agreed_at=NOW, **facts),
        MatchAccepted(match_id=made, accepted_by="organisation", accepted_at=NOW, **facts),
        MatchMade(match_id=made, made_at=NOW, **facts),
        MatchEnded(match_id=made, ended_at=NOW, reason="moved", ended_by="volunteer", **facts),
        MatchProposed(match_id=declined, score=0.5, proposed_at=NOW, **facts),
        MatchDeclined(match_id=declined, declined_by="organisation", declined_at=NOW, **facts),
        MatchProposed(match_id=expired, score=0.5, proposed_at=NOW, **facts),
        MatchExpired(match_id=expired, expired_at=NOW, **facts),
    ]
    for event in events:
        await on_match_event(event, _delivered(uow, event))

    rows = uow.tables.proposals
    assert (rows[made].status, rows[made].via, rows[made].needs_consulent) == ("ended", "interest", True)
    assert (rows[made].end_reason, rows[made].ended_by) == ("moved", "volunteer")
    assert None not in (rows[made].approved_at, rows[made].agreed_at, rows[made].accepted_at, rows[made].made_at)
    assert (rows[declined].status, rows[declined].declined_by) == ("declined", "organisation")
    assert rows[expired].status == "expired"
    assert made in uow.tables.matches


async def test_volunteer_day_matched_shows_on_the_partners_day(uow: FakeRegistryUnitOfWork) -> None:
    partner = a_partner()
    await uow.partners.add(partner)
    day = a_volunteer_day(partner.id)
    await uow.volunteer_days.add_new(day)
    task_id = uuid4()
    event = VolunteerDayMatched(
        day_id=day.id,
        partner_id=partner.id,
        task_id=task_id,
        organisation_id=uuid4(),
        centrale_id="vc-u",
        matched_at=NOW,
    )
    await on_volunteer_day_matched(event, cast(PostgresRegistryUnitOfWork, uow))
    assert (uow.tables.volunteer_days[day.id].status, uow.tables.volunteer_days[day.id].matched_task_id) == (
        "matched",
        task_id,
    )


async def test_an_award_becomes_one_message_row(uow: FakeRegistryUnitOfWork) -> None:
    award = AppreciationAwarded(
        award_id=uuid4(),
        recipient_id=uuid4(),
        recipient_kind="volunteer",
        centrale_id="vc-u",
        rule_id="hours-10",
        rule_kind="hours_milestone",
        title="10 uur vrijwillige inzet",
        trigger_event_id=uuid4(),
        trigger_event_type="nl.vrijwilligerscentrale.hours.logged.v1",
        awarded_at=NOW,
    )
    await on_appreciation_awarded(award, cast(PostgresRegistryUnitOfWork, uow))
    await on_appreciation_awarded(award, cast(PostgresRegistryUnitOfWork, uow))
    assert [(m.award_id, m.reason) for m in uow.tables.appreciation_messages.values()] == [
        (award.award_id, "unknown_volunteer")
    ]


class _JobContext:
    """What the registry's jobs use of a JobContext: a unit of work (here the fake) and the settings."""

    def __init__(self, uow: FakeRegistryUnitOfWork) -> None:
        self._uow = uow
        self.settings = Settings.model_construct(vog_reminder_days=60, proposal_reminder_days=7)

    @asynccontextmanager
    async def unit_of_work(self) -> AsyncIterator[FakeRegistryUnitOfWork]:
        async with self._uow.transaction():
            yield self._uow


async def test_the_daily_job_expires_overdue_tasks_and_counts_them(uow: FakeRegistryUnitOfWork) -> None:
    overdue = await _published_task(uow, closing_date=NOW.date() - timedelta(days=1))
    await _published_task(uow, closing_date=date(2030, 1, 1))

    counts = await expire_overdue_tasks(cast(JobContext, _JobContext(uow)))

    assert counts == {"expired": 1}
    assert uow.tables.tasks[overdue.id].status == "expired"
    [job] = [job for job in JOBS if job.run is expire_overdue_tasks]
    assert (job.name, job.schedule) == ("expire-tasks", DailyAt(time(0, 30)))


def test_the_registry_runs_its_follow_up_jobs_itself() -> None:
    schedules = {job.name: job.schedule for job in JOBS}
    assert (schedules["reminders"], schedules["check-ins"]) == (DailyAt(time(8, 30)), DailyAt(time(9, 0)))


async def test_the_check_in_job_asks_both_sides_of_a_match_whose_moment_came(uow: FakeRegistryUnitOfWork) -> None:
    task = await _published_task(uow)
    match = a_proposal(task, uuid4(), status="made", made_at=NOW - timedelta(days=15))
    await uow.proposals.put(match)

    counts = await ask_check_ins(cast(JobContext, _JobContext(uow)))

    assert counts == {"asked": 2, "skipped": 0}
    assert {(c.side, c.step) for c in uow.tables.check_ins.values()} == {("volunteer", "P2W"), ("organisation", "P2W")}


async def test_the_reminder_job_reminds_of_an_expiring_vog_with_the_settings_days(uow: FakeRegistryUnitOfWork) -> None:
    task = await _published_task(uow)
    soon = a_volunteer(task.centrale_id, vog_valid_until=NOW.date() + timedelta(days=30))
    later = a_volunteer(task.centrale_id, vog_valid_until=NOW.date() + timedelta(days=90))
    for volunteer in (soon, later):
        await uow.volunteers.add(volunteer)

    counts = await remind(cast(JobContext, _JobContext(uow)))

    assert counts == {"vog_expiring": 1, "proposals_unanswered": 0, "one_off_follow_ups": 0}
    assert [n.recipient_id for n in uow.tables.notices.values()] == [soon.id]
