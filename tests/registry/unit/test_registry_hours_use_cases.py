"""Matches from matching and the hours logged for them, on the fakes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from common.clock import ManualClock
from common.errors import Conflict, ContractViolation, Forbidden, NotFound, Rejected
from contracts.events import HoursCorrected, HoursLogged, HoursRejected, TaskClosed
from registry.domain import HoursCorrectionReason, HoursRejectionReason
from registry.repositories import Match, Task
from registry.use_cases.hours import (
    ConfirmHours,
    CorrectHours,
    ListHours,
    LogHours,
    RecordMatch,
    RejectHours,
    confirm_hours,
    correct_hours,
    list_hours,
    log_hours,
    record_match,
    reject_hours,
)
from tests.registry.builders import NOW, a_centrale, a_task, an_organisation
from tests.registry.fakes import FakeRegistryUnitOfWork

YESTERDAY = (NOW - timedelta(days=1)).date()


async def _published_task(uow: FakeRegistryUnitOfWork, capacity: int = 2, **overrides: Any) -> Task:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    organisation = an_organisation(centrale.id)
    await uow.organisations.add(organisation)
    task = a_task(centrale.id, organisation.id, capacity=capacity, status="published", published_at=NOW, **overrides)
    await uow.tasks.add(task)
    return task


def _made(task: Task, **overrides: object) -> RecordMatch:
    values: dict[str, object] = {
        "match_id": uuid4(),
        "task_id": task.id,
        "volunteer_id": uuid4(),
        "organisation_id": task.organisation_id,
        "centrale_id": task.centrale_id,
        "volunteer_centrale_id": task.centrale_id,
        "made_at": NOW - timedelta(days=3),
    }
    return RecordMatch(**(values | overrides))  # type: ignore[arg-type]


async def _match(uow: FakeRegistryUnitOfWork, **task: Any) -> Match:
    made = _made(await _published_task(uow, **task))
    await record_match(made, uow)
    match = await uow.matches.find(made.match_id, made.centrale_id)
    assert match is not None
    return match


async def test_a_task_is_filled_when_its_matches_reach_its_capacity_and_a_redelivery_changes_nothing(
    uow: FakeRegistryUnitOfWork,
) -> None:
    task = await _published_task(uow, capacity=2)
    first = _made(task)
    await record_match(first, uow)
    await record_match(first, uow)  # redelivered
    assert uow.tables.tasks[task.id].status == "published"

    await record_match(_made(task), uow)

    assert uow.tables.tasks[task.id].status == "filled"
    [closed] = uow.events()
    assert isinstance(closed, TaskClosed)
    assert (closed.task_id, closed.reason) == (task.id, "filled")
    await record_match(_made(task), uow)  # a match beyond capacity is kept, the task closes once
    assert len(uow.events()) == 1
    assert len(uow.tables.matches) == 3


async def test_a_match_on_a_task_the_registry_does_not_know_is_a_contract_violation(
    uow: FakeRegistryUnitOfWork,
) -> None:
    task = await _published_task(uow)
    with pytest.raises(ContractViolation, match="does not know"):
        await record_match(_made(task, task_id=uuid4()), uow)


async def test_just_after_midnight_in_the_netherlands_hours_for_the_dutch_today_are_accepted(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    # CI found this at 00:06 Dutch time: the UTC date was still yesterday's, so "today" was refused as future.
    match = await _match(uow)
    clock.set(datetime(2026, 11, 22, 23, 30, tzinfo=UTC))  # 00:30 on 23 November in Amsterdam
    uow.renew()

    hours_id = await log_hours(
        LogHours(
            match.id,
            date(2026, 11, 23),
            Decimal("2"),
            by="organisation",
            centrale_id=match.centrale_id,
            organisation_id=match.organisation_id,
        ),
        uow,
    )

    assert uow.tables.hours[hours_id].worked_on == date(2026, 11, 23)
    with pytest.raises(Rejected, match="future date"):
        await log_hours(
            LogHours(
                match.id,
                date(2026, 11, 24),
                Decimal("2"),
                by="organisation",
                centrale_id=match.centrale_id,
                organisation_id=match.organisation_id,
            ),
            uow,
        )


async def test_an_organisations_hours_count_at_once(uow: FakeRegistryUnitOfWork) -> None:
    match = await _match(uow)
    hours_id = await log_hours(
        LogHours(
            match.id,
            YESTERDAY,
            Decimal("3"),
            by="organisation",
            centrale_id=match.centrale_id,
            organisation_id=match.organisation_id,
        ),
        uow,
    )

    assert uow.hours.serialised == [match.volunteer_id]  # the 24-hour check is serialised per volunteer
    stored = uow.tables.hours[hours_id]
    assert (stored.status, stored.confirmed_at, str(stored.hours)) == ("confirmed", NOW, "3.00")
    [event] = uow.events(HoursLogged)
    assert isinstance(event, HoursLogged)
    assert (event.hours_id, event.hours, event.theme, event.logged_by) == (
        hours_id,
        Decimal("3.00"),
        "ouderen",
        "organisation",
    )


async def test_a_volunteers_hours_count_once_the_organisation_confirms_them(uow: FakeRegistryUnitOfWork) -> None:
    match = await _match(uow)
    hours_id = await log_hours(
        LogHours(
            match.id,
            YESTERDAY,
            Decimal("4"),
            by="volunteer",
            centrale_id=match.centrale_id,
            volunteer_id=match.volunteer_id,
        ),
        uow,
    )
    assert uow.events(HoursLogged) == []

    await confirm_hours(ConfirmHours(hours_id, match.organisation_id, match.centrale_id), uow)

    [event] = uow.events(HoursLogged)
    assert isinstance(event, HoursLogged)
    assert (event.hours_id, event.logged_by) == (hours_id, "volunteer")
    with pytest.raises(Conflict, match="already confirmed"):
        await confirm_hours(ConfirmHours(hours_id, match.organisation_id, match.centrale_id), uow)
    with pytest.raises(NotFound):
        await confirm_hours(ConfirmHours(hours_id, uuid4(), match.centrale_id), uow)


async def test_an_organisation_sees_the_hours_to_confirm_first_and_only_its_own(uow: FakeRegistryUnitOfWork) -> None:
    match = await _match(uow)
    by_volunteer = LogHours(
        match.id,
        YESTERDAY,
        Decimal("4"),
        by="volunteer",
        centrale_id=match.centrale_id,
        volunteer_id=match.volunteer_id,
    )
    waiting = await log_hours(by_volunteer, uow)
    counted = await log_hours(
        LogHours(
            match.id,
            YESTERDAY - timedelta(days=1),
            Decimal("2"),
            by="organisation",
            centrale_id=match.centrale_id,
            organisation_id=match.organisation_id,
        ),
        uow,
    )

    listed = await list_hours(ListHours(match.organisation_id, match.centrale_id), uow)

    assert [(entry["id"], entry["status"]) for entry in listed] == [(waiting, "pending"), (counted, "confirmed")]
    assert "name" not in listed[0]
    with pytest.raises(NotFound):  # an organisation not of the centrale: 404, not an empty list (tenant matrix)
        await list_hours(ListHours(uuid4(), match.centrale_id), uow)


@pytest.mark.parametrize(
    ("days_ago", "hours", "reason"),
    [
        (-1, "2", "hours cannot be logged for a future date"),
        (1, "5", "at most 24 hours per day: 20.00 already logged on"),
        (5, "1", "hours cannot be logged for a day before the match was made"),
    ],
)
async def test_hours_are_refused_for_the_future_past_24_a_day_and_before_the_match(
    uow: FakeRegistryUnitOfWork, days_ago: int, hours: str, reason: str
) -> None:
    match = await _match(uow)
    await log_hours(LogHours(match.id, YESTERDAY, Decimal("20"), by="organisation", centrale_id=match.centrale_id), uow)
    day = (NOW - timedelta(days=days_ago)).date()
    with pytest.raises(Rejected, match=reason):
        await log_hours(LogHours(match.id, day, Decimal(hours), by="organisation", centrale_id=match.centrale_id), uow)
    assert len(uow.tables.hours) == 1


async def test_hours_need_a_match_of_the_caller(uow: FakeRegistryUnitOfWork) -> None:
    match = await _match(uow)
    for cmd in (
        LogHours(uuid4(), YESTERDAY, Decimal(1), by="organisation", centrale_id=match.centrale_id),
        LogHours(match.id, YESTERDAY, Decimal(1), by="organisation", centrale_id="vc-other"),
        LogHours(
            match.id, YESTERDAY, Decimal(1), by="organisation", centrale_id=match.centrale_id, organisation_id=uuid4()
        ),
        LogHours(match.id, YESTERDAY, Decimal(1), by="volunteer", centrale_id=match.centrale_id, volunteer_id=uuid4()),
    ):
        with pytest.raises(NotFound):
            await log_hours(cmd, uow)


async def test_a_volunteer_of_another_centrale_logs_hours_on_an_overflow_match(uow: FakeRegistryUnitOfWork) -> None:
    task = await _published_task(uow)
    made = _made(task, volunteer_centrale_id="vc-elders")
    await record_match(made, uow)
    hours_id = await log_hours(
        LogHours(
            made.match_id,
            YESTERDAY,
            Decimal(2),
            by="volunteer",
            centrale_id="vc-elders",
            volunteer_id=made.volunteer_id,
        ),
        uow,
    )
    assert uow.tables.hours[hours_id].centrale_id == task.centrale_id  # counted for the task's centrale


# -- hours before the task started (issue 19) ------------------------------------------------------------------

# NOW is Sunday 22 November 2026, 11:00 in Amsterdam (10:00 UTC).
ONE_OFF_START = datetime(2026, 11, 22, 13, 0, tzinfo=UTC)  # 14:00 Dutch time, the same Sunday


def _by_organisation(match: Match, day: object = YESTERDAY, hours: str = "2") -> LogHours:
    return LogHours(
        match.id,
        day,  # type: ignore[arg-type]
        Decimal(hours),
        by="organisation",
        centrale_id=match.centrale_id,
        organisation_id=match.organisation_id,
    )


def _by_volunteer(match: Match, day: object = YESTERDAY, hours: str = "2") -> LogHours:
    return LogHours(
        match.id,
        day,  # type: ignore[arg-type]
        Decimal(hours),
        by="volunteer",
        centrale_id=match.centrale_id,
        volunteer_id=match.volunteer_id,
    )


async def test_hours_for_a_one_off_task_are_refused_before_its_start_time_with_the_reason(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    match = await _match(uow, shifts=[], one_off_start=ONE_OFF_START, one_off_end=ONE_OFF_START + timedelta(hours=3))

    with pytest.raises(Rejected) as early:
        await log_hours(_by_organisation(match, NOW.date()), uow)
    assert early.value.reasons == ["the task starts on 2026-11-22 at 14:00; hours cannot be logged for it before then"]
    with pytest.raises(Rejected, match="the task starts on 2026-11-22 at 14:00"):
        await log_hours(_by_volunteer(match, YESTERDAY), uow)  # the day before the task, whoever logs
    assert uow.tables.hours == {}

    clock.set(ONE_OFF_START)
    uow.renew()
    hours_id = await log_hours(_by_organisation(match, NOW.date()), uow)
    assert uow.tables.hours[hours_id].worked_on == NOW.date()


async def test_hours_for_today_are_refused_before_todays_shift_starts_not_on_a_day_without_one(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    # A shift every Sunday from 13:30 Dutch time and every Tuesday from 09:00.
    shifts = [
        {"weekday": 7, "start": "13:30:00", "end": "16:00:00"},
        {"weekday": 2, "start": "09:00:00", "end": "12:00:00"},
    ]
    match = await _match(uow, shifts=shifts)

    with pytest.raises(Rejected) as early:
        await log_hours(_by_volunteer(match, NOW.date()), uow)
    assert early.value.reasons == ["today's shift starts at 13:30; hours cannot be logged for it before then"]
    await log_hours(_by_volunteer(match, YESTERDAY), uow)  # Saturday: no shift, extra work is fine

    clock.set(datetime(2026, 11, 22, 12, 30, tzinfo=UTC))  # 13:30 in Amsterdam
    uow.renew()
    await log_hours(_by_volunteer(match, NOW.date()), uow)
    assert len(uow.tables.hours) == 2


# -- rejections and corrections (issue 19) ------------------------------------------------------------------------

WINDOW = timedelta(days=30)


def _correction(hours_id: UUID, match: Match, hours: str, by: str = "organisation", **overrides: Any) -> CorrectHours:
    values: dict[str, Any] = {
        "hours_id": hours_id,
        "hours": Decimal(hours),
        "reason": HoursCorrectionReason.TYPING_ERROR,
        "by": by,
        "window": WINDOW,
        "centrale_id": match.centrale_id,
        "organisation_id": match.organisation_id if by == "organisation" else None,
        "volunteer_id": match.volunteer_id if by == "volunteer" else None,
    }
    return CorrectHours(**(values | overrides))


def _rejection(hours_id: UUID, match: Match, **overrides: Any) -> RejectHours:
    values: dict[str, Any] = {
        "hours_id": hours_id,
        "organisation_id": match.organisation_id,
        "centrale_id": match.centrale_id,
        "reason": HoursRejectionReason.NOT_WORKED,
        "note": "Die dinsdag was de bus kapot.",
    }
    return RejectHours(**(values | overrides))


async def test_a_volunteers_pending_entry_rejected_never_counted_and_its_note_stays_in_the_registry(
    uow: FakeRegistryUnitOfWork,
) -> None:
    match = await _match(uow)
    hours_id = await log_hours(_by_volunteer(match, hours="8"), uow)

    await reject_hours(_rejection(hours_id, match), uow)

    stored = uow.tables.hours[hours_id]
    assert (stored.status, stored.rejected_at, stored.hours) == ("rejected", NOW, Decimal("8.00"))
    [event] = uow.events()
    assert isinstance(event, HoursRejected)
    assert (event.hours_id, event.hours, event.counted, event.reason, event.logged_by) == (
        hours_id,
        Decimal("8.00"),
        False,
        "not_worked",
        "volunteer",
    )
    assert "kapot" not in event.model_dump_json()  # the note never travels
    [change] = uow.tables.hours_changes.values()
    assert (change.change, change.previous_hours, change.hours, change.note) == (
        "rejected",
        Decimal("8.00"),
        None,
        "Die dinsdag was de bus kapot.",
    )
    with pytest.raises(Conflict, match="already rejected"):
        await reject_hours(_rejection(hours_id, match), uow)
    with pytest.raises(Conflict, match="were rejected"):
        await confirm_hours(ConfirmHours(hours_id, match.organisation_id, match.centrale_id), uow)
    # A rejected entry leaves the day free: the volunteer logs the right amount again.
    await log_hours(_by_volunteer(match, hours="20"), uow)
    await log_hours(_by_volunteer(match, hours="4"), uow)


async def test_a_confirmed_entry_rejected_is_taken_out_with_its_amount(uow: FakeRegistryUnitOfWork) -> None:
    match = await _match(uow)
    hours_id = await log_hours(_by_volunteer(match, hours="3.5"), uow)
    await confirm_hours(ConfirmHours(hours_id, match.organisation_id, match.centrale_id), uow)

    await reject_hours(_rejection(hours_id, match, reason=HoursRejectionReason.DUPLICATE, note=None), uow)

    [event] = uow.events(HoursRejected)
    assert isinstance(event, HoursRejected)
    assert (event.hours, event.counted, event.reason, event.theme) == (Decimal("3.50"), True, "duplicate", "ouderen")
    with pytest.raises(NotFound):
        await reject_hours(_rejection(hours_id, match, organisation_id=uuid4()), uow)


async def test_the_organisation_corrects_its_own_entry_and_the_correction_counts_from_then(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    match = await _match(uow)
    hours_id = await log_hours(_by_organisation(match, hours="8"), uow)
    clock.advance(timedelta(days=2))
    uow.renew()

    await correct_hours(_correction(hours_id, match, "3", note="Verkeerd overgenomen uit de lijst."), uow)

    stored = uow.tables.hours[hours_id]
    assert (stored.hours, stored.status, stored.corrected_at) == (Decimal("3.00"), "confirmed", clock.now())
    [_, corrected] = uow.events()
    assert isinstance(corrected, HoursCorrected)
    assert (corrected.previous_hours, corrected.hours, corrected.counted, corrected.reason) == (
        Decimal("8.00"),
        Decimal("3.00"),
        True,
        "typing_error",
    )
    assert (corrected.corrected_by, corrected.worked_on, corrected.match_id) == ("organisation", YESTERDAY, match.id)
    [view] = await list_hours(ListHours(match.organisation_id, match.centrale_id), uow)
    assert (view["hours"], [(c["change"], c["previous_hours"], c["hours"]) for c in view["changes"]]) == (
        Decimal("3.00"),
        [("corrected", Decimal("8.00"), Decimal("3.00"))],
    )


async def test_a_correction_after_the_window_is_refused(uow: FakeRegistryUnitOfWork, clock: ManualClock) -> None:
    match = await _match(uow)
    hours_id = await log_hours(_by_organisation(match, hours="8"), uow)
    clock.advance(WINDOW + timedelta(seconds=1))
    uow.renew()

    with pytest.raises(Conflict, match="up to 30 days after they were logged; these were logged on 2026-11-22"):
        await correct_hours(_correction(hours_id, match, "3"), uow)
    assert uow.tables.hours[hours_id].hours == Decimal("8.00")
    assert uow.events(HoursCorrected) == []


async def test_a_volunteer_corrects_their_entry_only_while_it_waits_for_confirmation(
    uow: FakeRegistryUnitOfWork,
) -> None:
    match = await _match(uow)
    hours_id = await log_hours(_by_volunteer(match, hours="5"), uow)

    await correct_hours(_correction(hours_id, match, "4.25", by="volunteer"), uow)

    [corrected] = uow.events()
    assert isinstance(corrected, HoursCorrected)
    assert (corrected.hours, corrected.counted, corrected.corrected_by) == (Decimal("4.25"), False, "volunteer")
    await confirm_hours(ConfirmHours(hours_id, match.organisation_id, match.centrale_id), uow)
    [_, logged] = uow.events()
    assert isinstance(logged, HoursLogged)
    assert logged.hours == Decimal("4.25")  # it counts with the corrected amount
    with pytest.raises(Conflict, match="ask it to reject them"):
        await correct_hours(_correction(hours_id, match, "6", by="volunteer"), uow)


async def test_only_whoever_logged_an_entry_corrects_it(uow: FakeRegistryUnitOfWork) -> None:
    match = await _match(uow)
    volunteers = await log_hours(_by_volunteer(match, YESTERDAY), uow)
    organisations = await log_hours(_by_organisation(match, YESTERDAY - timedelta(days=1)), uow)

    with pytest.raises(Forbidden, match="only the volunteer corrects"):
        await correct_hours(_correction(volunteers, match, "3"), uow)
    with pytest.raises(Forbidden, match="only it corrects them"):
        await correct_hours(_correction(organisations, match, "3", by="volunteer"), uow)
    with pytest.raises(NotFound):
        await correct_hours(_correction(volunteers, match, "3", by="volunteer", volunteer_id=uuid4()), uow)
    await reject_hours(_rejection(organisations, match), uow)  # its own entry, logged in error
    with pytest.raises(Conflict, match="were rejected"):
        await correct_hours(_correction(organisations, match, "1"), uow)


async def test_a_corrected_amount_must_differ_and_keep_the_day_within_24_hours(uow: FakeRegistryUnitOfWork) -> None:
    match = await _match(uow)
    first = await log_hours(_by_organisation(match, hours="20"), uow)
    second = await log_hours(_by_organisation(match, hours="2"), uow)

    with pytest.raises(Rejected) as same:
        await correct_hours(_correction(second, match, "2"), uow)
    assert (same.value.reasons, same.value.field) == (["the entry already has 2.00 hours"], "hours")
    with pytest.raises(Rejected, match=r"at most 24 hours per day: 20\.00 already logged"):
        await correct_hours(_correction(second, match, "4.5"), uow)
    await correct_hours(_correction(first, match, "21"), uow)  # its own 20 hours do not count against it
    assert [h.hours for h in uow.tables.hours.values()] == [Decimal("21.00"), Decimal("2.00")]
