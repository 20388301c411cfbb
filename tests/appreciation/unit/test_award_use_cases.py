"""The use cases that keep facts from events and award what the centrale's rules say, on fakes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from appreciation import domain
from appreciation.domain import Allowance, AwardTrigger, Certificate, Organisation, RuleKind, Task
from appreciation.use_cases import awards, rules
from appreciation.use_cases._awarding import give
from appreciation.use_cases.hours import RecordHours, record_hours
from common.clock import ManualClock
from contracts.events import AppreciationAwarded, VolunteerRegistered
from tests.appreciation.builders import CENTRALE, award_of, hours_entry, match_of, trigger
from tests.appreciation.fakes import FakeAppreciationUnitOfWork

REGISTERED = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)


async def _registered(uow: FakeAppreciationUnitOfWork, age_band: str = "30-49", at: datetime = REGISTERED) -> UUID:
    volunteer_id = uuid4()
    cause = trigger(at.date(), VolunteerRegistered.event_type)
    await awards.record_volunteer(awards.RecordVolunteer(volunteer_id, CENTRALE, age_band, at, cause), uow)
    return volunteer_id


async def _hours(uow: FakeAppreciationUnitOfWork, volunteer_id: UUID, hours: str, worked_on: date) -> list[UUID]:
    cause = trigger(worked_on)
    entry = hours_entry(volunteer_id, hours, worked_on, event_id=cause.event_id)
    return await record_hours(RecordHours(entry, cause), uow)


def _rule_ids(uow: FakeAppreciationUnitOfWork, volunteer_id: UUID) -> set[str]:
    return {a.rule_id for a in uow.awards.awards.values() if a.recipient_id == volunteer_id}


async def test_a_registration_keeps_age_band_and_day_and_a_profile_update_only_the_age_band(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    volunteer_id = uuid4()
    registration = trigger(REGISTERED.date(), VolunteerRegistered.event_type)
    await awards.record_volunteer(
        awards.RecordVolunteer(volunteer_id, CENTRALE, "18-20", REGISTERED, registration), uow
    )
    await awards.record_volunteer(awards.RecordVolunteer(volunteer_id, CENTRALE, "21-29", None, trigger()), uow)

    volunteer = uow.volunteers.volunteers[volunteer_id]
    assert (volunteer.age_band, volunteer.registered_on) == ("21-29", REGISTERED.date())
    assert volunteer.registration_event_id == registration.event_id
    assert volunteer.centrale_confirmed
    # The centrale was seen for the first time: it got the default rules as its own.
    assert {r.rule_id for r in await uow.rules.of_centrale(CENTRALE)} == {r for r, *_ in domain.DEFAULT_RULES}


async def test_hours_crossing_milestones_award_each_once_and_announce_it_under_the_award_id(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    volunteer_id = await _registered(uow)

    assert await _hours(uow, volunteer_id, "6", date(2026, 2, 1)) == []
    crossing = await _hours(uow, volunteer_id, "20", date(2026, 2, 8))
    again = await _hours(uow, volunteer_id, "1", date(2026, 2, 9))

    assert crossing == [
        domain.award_id_for(CENTRALE, "hours-10", volunteer_id, ""),
        domain.award_id_for(CENTRALE, "hours-25", volunteer_id, ""),
    ]
    assert again == []
    announced = uow.emitted
    assert [e.event_id for e in announced] == crossing
    assert all(isinstance(e.event, AppreciationAwarded) and e.tenant == CENTRALE for e in announced)
    first = announced[0].event
    assert isinstance(first, AppreciationAwarded)
    assert (first.rule_id, first.title, first.recipient_id, first.awarded_at) == (
        "hours-10",
        "10 uur vrijwillige inzet",
        volunteer_id,
        uow.now(),
    )


async def test_a_republished_hours_entry_counts_once(uow: FakeAppreciationUnitOfWork) -> None:
    volunteer_id = await _registered(uow)
    entry = hours_entry(volunteer_id, "13")
    await record_hours(RecordHours(entry, trigger()), uow)
    # The registry publishing the same entry again (new event id): counted twice, 26 hours would pass 25.
    await record_hours(RecordHours(replace(entry, event_id=uuid4()), trigger()), uow)

    assert sum(e.hours for e in uow.hours.entries.values()) == Decimal(13)
    assert _rule_ids(uow, volunteer_id) == {"hours-10"}


async def test_nldoet_mdt_and_anniversary_follow_dates_windows_and_age(uow: FakeAppreciationUnitOfWork) -> None:
    young = await _registered(uow, "18-20", at=datetime(2025, 1, 10, tzinfo=UTC))
    older = await _registered(uow, "30-49", at=datetime(2026, 3, 1, tzinfo=UTC))
    for volunteer_id in (young, older):
        for hours, day in (("20", date(2026, 3, 13)), ("20", date(2026, 3, 14)), ("45", date(2026, 5, 11))):
            await _hours(uow, volunteer_id, hours, day)

    assert _rule_ids(uow, young) == {"hours-10", "hours-25", "hours-50", "nldoet", "mdt-basis", "anniversary-1"}
    assert _rule_ids(uow, older) == {"hours-10", "hours-25", "hours-50", "nldoet"}
    nldoet = next(a for a in uow.awards.awards.values() if a.recipient_id == young and a.rule_id == "nldoet")
    assert (nldoet.occurrence, nldoet.title) == ("2026", "Meegedaan aan NLdoet 2026")


async def test_an_age_band_arriving_after_the_hours_still_awards_mdt(uow: FakeAppreciationUnitOfWork) -> None:
    volunteer_id = uuid4()
    await _hours(uow, volunteer_id, "85", date(2026, 2, 1))  # hours before the volunteer was seen
    assert "mdt-basis" not in _rule_ids(uow, volunteer_id)

    awarded = await awards.record_volunteer(
        awards.RecordVolunteer(volunteer_id, CENTRALE, "12-17", None, trigger()), uow
    )

    assert domain.award_id_for(CENTRALE, "mdt-basis", volunteer_id, "") in awarded


@pytest.mark.parametrize("run", [False, True], ids=["one-event", "run-of-events"])
async def test_a_registration_arriving_after_the_hours_awards_the_anniversary_they_earned(
    uow: FakeAppreciationUnitOfWork, run: bool
) -> None:
    # Registered years ago, hours worked recently: the order the two topics arrive in must not matter.
    at = datetime(2020, 5, 4, 9, 0, tzinfo=UTC)
    registration_first = await _registered(uow, at=at)
    await _hours(uow, registration_first, "3", date(2026, 2, 19))
    hours_first = uuid4()
    await _hours(uow, hours_first, "3", date(2026, 2, 19))
    registration = trigger(at.date(), VolunteerRegistered.event_type)  # dated the day they registered
    command = awards.RecordVolunteer(hours_first, CENTRALE, "30-49", at, registration)
    await (awards.record_volunteer_run([command], uow) if run else awards.record_volunteer(command, uow))

    assert "anniversary-1" in _rule_ids(uow, hours_first)
    assert _rule_ids(uow, hours_first) == _rule_ids(uow, registration_first)
    anniversary = uow.awards.awards[domain.award_id_for(CENTRALE, "anniversary-1", hours_first, "")]
    assert anniversary.trigger_event_id == registration.event_id  # the event that made it hold


async def test_the_first_match_is_celebrated_and_confirms_a_centrale_guessed_from_hours(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    volunteer_id = uuid4()
    # Hours at a task of another centrale came first: that centrale is only a guess.
    cause = trigger()
    await record_hours(
        RecordHours(hours_entry(volunteer_id, "1", centrale_id="vc-task", event_id=cause.event_id), cause), uow
    )
    assert uow.volunteers.volunteers[volunteer_id].centrale_id == "vc-task"

    match = match_of(volunteer_id, centrale_id="vc-task", volunteer_centrale_id=CENTRALE)
    awarded = await awards.record_match(awards.RecordMatch(match, trigger()), uow)

    assert uow.volunteers.volunteers[volunteer_id].centrale_id == CENTRALE
    assert awarded == [domain.award_id_for(CENTRALE, "first-match", volunteer_id, "")]
    assert await uow.matches.of_volunteer(volunteer_id) == [match]


async def test_a_switched_off_rule_awards_nothing_until_it_is_on_again(uow: FakeAppreciationUnitOfWork) -> None:
    volunteer_id = await _registered(uow)
    await rules.change_rule(rules.ChangeRule(CENTRALE, "hours-10", active=False), uow)
    await _hours(uow, volunteer_id, "12", date(2026, 2, 1))
    assert "hours-10" not in _rule_ids(uow, volunteer_id)

    await rules.change_rule(rules.ChangeRule(CENTRALE, "hours-10", active=True), uow)
    await _hours(uow, volunteer_id, "0.5", date(2026, 2, 2))

    assert "hours-10" in _rule_ids(uow, volunteer_id)


async def test_a_partner_is_thanked_once_per_team_day_and_not_for_too_small_a_team(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    partner_id, day_id = uuid4(), uuid4()
    await rules.add_rule(
        rules.AddRule(CENTRALE, "big-team", RuleKind.PARTNER_TEAM_DAY, "Grote ploeg", {"min_participants": 10}), uow
    )
    cause = trigger(event_type="nl.vrijwilligerscentrale.volunteer-day.hours-logged.v1")

    first = await awards.record_partner_day(awards.RecordPartnerDay(partner_id, day_id, CENTRALE, 8, cause), uow)
    again = await awards.record_partner_day(awards.RecordPartnerDay(partner_id, day_id, CENTRALE, 8, cause), uow)
    other_day = await awards.record_partner_day(awards.RecordPartnerDay(partner_id, uuid4(), CENTRALE, 12, cause), uow)

    assert first == [domain.award_id_for(CENTRALE, "partner-team-day", partner_id, str(day_id))]
    assert again == []
    assert len(other_day) == 2  # the default thanks and the big team's
    thanks = uow.awards.awards[first[0]]
    assert (thanks.recipient_kind, thanks.occurrence, thanks.trigger_event_id) == (
        "business_partner",
        str(day_id),
        cause.event_id,
    )


async def test_organisations_and_tasks_are_kept_for_certificates(uow: FakeAppreciationUnitOfWork) -> None:
    organisation = Organisation(uuid4(), CENTRALE, "Voedselbank")
    task = Task(uuid4(), organisation.id, CENTRALE, "ouderen", ("koken",))

    await awards.record_organisation(awards.RecordOrganisation(organisation), uow)
    await awards.record_task(awards.RecordTask(task), uow)
    await awards.record_task(awards.RecordTask(replace(task, theme="zorg", skills=())), uow)

    assert uow.organisations.organisations == {organisation.id: organisation}
    assert uow.organisations.task_rows[task.id] == replace(task, theme="zorg", skills=())


async def test_erasure_forgets_the_facts_keeps_awards_certificates_and_allowances_anonymously_for_good(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    volunteer_id = await _registered(uow)
    await awards.record_match(awards.RecordMatch(match_of(volunteer_id), trigger()), uow)
    entry = hours_entry(volunteer_id, "12")
    await record_hours(RecordHours(entry, trigger()), uow)
    at = uow.now()
    await uow.certificates.add(Certificate(uuid4(), volunteer_id, CENTRALE, "0" * 64, Decimal(12), 1, None, None, at))
    allowance = Allowance(uuid4(), uuid4(), CENTRALE, volunteer_id, "B-1", date(2026, 3, 1), Decimal(5), None, "o", at)
    await uow.allowances.add(allowance)
    given = set(uow.awards.awards)

    await awards.erase_volunteer(awards.EraseVolunteer(volunteer_id, CENTRALE, at), uow)
    # An older entry seen again afterwards (a replay) must not bring the volunteer back.
    assert await record_hours(RecordHours(entry, trigger()), uow) == []

    assert volunteer_id not in uow.volunteers.volunteers
    assert volunteer_id in uow.volunteers.erased
    assert await uow.hours.of_volunteers([volunteer_id]) == []
    assert await uow.matches.of_volunteer(volunteer_id) == []
    assert set(uow.awards.awards) == given
    assert {a.recipient_id for a in uow.awards.awards.values()} == {None}
    assert [c.volunteer_id for c in uow.certificates.certificates.values()] == [None]
    assert [a.volunteer_id for a in uow.allowances.allowances.values()] == [None]


async def test_anniversaries_are_found_and_awarded_once_with_the_registration_as_trigger(
    uow: FakeAppreciationUnitOfWork, clock: ManualClock
) -> None:
    worked = await _registered(uow, at=datetime(2025, 3, 1, tzinfo=UTC))
    idle = await _registered(uow, at=datetime(2025, 3, 1, tzinfo=UTC))
    recent = await _registered(uow, at=datetime(2025, 6, 1, tzinfo=UTC))
    for volunteer_id in (worked, recent):
        await _hours(uow, volunteer_id, "1", date(2025, 7, 1))
    registration = uow.volunteers.volunteers[worked].registration_event_id
    assert "anniversary-1" not in _rule_ids(uow, worked)  # the hours came before the anniversary
    today = date(2026, 3, 14)

    candidates = await awards.anniversary_candidates(awards.FindAnniversaryCandidates(today), uow)
    awarded = [await awards.award_anniversaries(awards.AwardAnniversaries(v, today), uow) for v in candidates]
    again = await awards.award_anniversaries(awards.AwardAnniversaries(worked, today), uow)
    gone = await awards.award_anniversaries(awards.AwardAnniversaries(uuid4(), today), uow)

    assert candidates == [worked]
    assert idle not in candidates
    assert awarded == [[domain.award_id_for(CENTRALE, "anniversary-1", worked, "")]]
    assert (again, gone) == ([], [])
    anniversary = uow.awards.awards[awarded[0][0]]
    assert (anniversary.trigger_event_id, anniversary.trigger_event_type) == (
        registration,
        VolunteerRegistered.event_type,
    )


async def test_awards_carry_the_moment_of_their_unit_of_work(
    uow: FakeAppreciationUnitOfWork, clock: ManualClock
) -> None:
    volunteer_id = await _registered(uow)
    clock.advance(timedelta(hours=5))
    uow.renew()
    await _hours(uow, volunteer_id, "10", date(2026, 3, 1))

    [award] = [a for a in uow.awards.awards.values() if a.rule_id == "hours-10"]
    assert award.awarded_at == clock.now()


async def test_a_trigger_dates_what_it_awards_by_when_its_fact_happened(uow: FakeAppreciationUnitOfWork) -> None:
    volunteer_id = await _registered(uow, at=datetime(2025, 3, 20, tzinfo=UTC))
    await _hours(uow, volunteer_id, "1", date(2026, 3, 1))
    assert "anniversary-1" not in _rule_ids(uow, volunteer_id)

    late_fact = AwardTrigger(uuid4(), "nl.vrijwilligerscentrale.volunteer.profile-updated.v1", date(2026, 3, 20))
    await awards.record_volunteer(awards.RecordVolunteer(volunteer_id, CENTRALE, "30-49", None, late_fact), uow)

    assert "anniversary-1" in _rule_ids(uow, volunteer_id)


async def test_give_stores_and_announces_only_the_awards_not_given_before_in_their_order(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    volunteer_id = uuid4()
    before, first, second = (award_of(volunteer_id, rule_id) for rule_id in ("hours-10", "hours-25", "hours-50"))
    await uow.awards.add_new([before])

    given = await give(uow, [(first, None), (before, None), (second, None)])

    assert given == [first.award_id, second.award_id]
    assert [e.event_id for e in uow.emitted] == given
    assert [e.event.rule_id for e in uow.emitted if isinstance(e.event, AppreciationAwarded)] == [
        "hours-25",
        "hours-50",
    ]
    assert await give(uow, []) == []


async def test_give_announces_nothing_when_the_awards_cannot_be_stored(uow: FakeAppreciationUnitOfWork) -> None:
    async def refused(awards: object) -> list[object]:
        raise RuntimeError("awards not stored")

    uow.awards.add_new = refused  # type: ignore[assignment,method-assign]

    with pytest.raises(RuntimeError, match="awards not stored"):
        await give(uow, [(award_of(uuid4()), None)])

    assert uow.emitted == []
