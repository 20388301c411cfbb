"""Follow-up on the fakes: check-ins at the centrale's moments, answers, the early-warning list, reminders."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from uuid import uuid4

import pytest

from common.clock import ManualClock
from common.errors import Conflict, NotFound, Rejected
from registry.repositories import Consent, Proposal, Task
from registry.use_cases.follow_up import (
    AnswerCheckIn,
    AskDueCheckIns,
    GetFollowUpSettings,
    HandleEarlyWarning,
    ListEarlyWarnings,
    ListOpenCheckIns,
    SetFollowUpSettings,
    answer_check_in,
    ask_due_check_ins,
    get_follow_up_settings,
    handle_early_warning,
    list_early_warnings,
    list_open_check_ins,
    moment_after,
    set_follow_up_settings,
)
from registry.use_cases.reminders import SendReminders, send_reminders
from tests.registry.builders import NOW, a_centrale, a_proposal, a_task, a_volunteer, an_organisation
from tests.registry.fakes import FakeRegistryUnitOfWork

UTC = NOW.tzinfo


async def _task(uow: FakeRegistryUnitOfWork) -> Task:
    centrale = a_centrale()
    await uow.centrales.add(centrale)
    organisation = an_organisation(centrale.id)
    await uow.organisations.add(organisation)
    task = a_task(centrale.id, organisation.id, status="published")
    await uow.tasks.add(task)
    return task


async def _match(uow: FakeRegistryUnitOfWork, task: Task, made_days_ago: int) -> Proposal:
    volunteer = a_volunteer(task.centrale_id)
    await uow.volunteers.add(volunteer)
    await uow.volunteers.add_consent(Consent(volunteer.id, "matching", True, "2026-01", "self", NOW))
    match = a_proposal(task, volunteer.id, status="made", made_at=NOW - timedelta(days=made_days_ago))
    await uow.proposals.put(match)
    return match


def _later(uow: FakeRegistryUnitOfWork, clock: ManualClock, delta: timedelta) -> None:
    clock.advance(delta)
    uow.renew()


def test_a_moment_after_the_match_is_days_weeks_or_calendar_months() -> None:
    made = datetime(2026, 1, 31, 10, 0, tzinfo=UTC)

    assert moment_after(made, "P14D") == moment_after(made, "P2W") == datetime(2026, 2, 14, 10, 0, tzinfo=UTC)
    assert moment_after(made, "P1M") == datetime(2026, 2, 28, 10, 0, tzinfo=UTC)  # the month's last day
    assert moment_after(made, "P12M") == datetime(2027, 1, 31, 10, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="P2W or P3M"):
        moment_after(made, "2 weeks")


async def test_check_ins_are_asked_of_both_sides_once_per_moment(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    task = await _task(uow)
    fresh, two_weeks_old = await _match(uow, task, 3), await _match(uow, task, 15)

    first = await ask_due_check_ins(AskDueCheckIns(), uow)
    again = await ask_due_check_ins(AskDueCheckIns(), uow)
    _later(uow, clock, timedelta(days=12))
    later = await ask_due_check_ins(AskDueCheckIns(), uow)

    assert first == {"asked": 2, "skipped": 0}
    assert again == {"asked": 0, "skipped": 0}
    assert later == {"asked": 2, "skipped": 0}  # the fresh match's two weeks came
    asked = {(c.match_id, c.step, c.side) for c in uow.tables.check_ins.values()}
    assert asked == {
        (m.match_id, "P2W", side) for m in (fresh, two_weeks_old) for side in ("volunteer", "organisation")
    }
    kinds = sorted((n.recipient_kind, n.kind) for n in uow.tables.notices.values())
    assert kinds == [("organisation", "check_in")] * 2 + [("volunteer", "check_in")] * 2


async def test_after_a_long_silence_only_the_latest_moment_is_asked(uow: FakeRegistryUnitOfWork) -> None:
    task = await _task(uow)
    match = await _match(uow, task, 100)  # 2 weeks and 3 months both passed

    counts = await ask_due_check_ins(AskDueCheckIns(), uow)

    assert counts == {"asked": 2, "skipped": 2}
    by_step = {(c.step, c.side): c.status for c in uow.tables.check_ins.values() if c.match_id == match.match_id}
    assert by_step == {
        ("P2W", "volunteer"): "skipped",
        ("P2W", "organisation"): "skipped",
        ("P3M", "volunteer"): "asked",
        ("P3M", "organisation"): "asked",
    }


async def test_a_centrale_chooses_its_own_moments(uow: FakeRegistryUnitOfWork) -> None:
    task = await _task(uow)
    await _match(uow, task, 8)

    defaults = await get_follow_up_settings(GetFollowUpSettings(task.centrale_id), uow)
    own = await set_follow_up_settings(SetFollowUpSettings(task.centrale_id, ["P2M", "P1W", "P2M"], 7), uow)
    counts = await ask_due_check_ins(AskDueCheckIns(), uow)

    assert (defaults.check_ins, defaults.unanswered_after_days) == (["P2W", "P3M", "P6M"], 14)
    assert (own.check_ins, own.unanswered_after_days) == (["P1W", "P2M"], 7)
    assert counts == {"asked": 2, "skipped": 0}
    with pytest.raises(Rejected):
        await set_follow_up_settings(SetFollowUpSettings(task.centrale_id, ["soon"], 7), uow)
    with pytest.raises(NotFound):
        await get_follow_up_settings(GetFollowUpSettings("vc-nergens"), uow)


async def test_doubts_and_silence_land_on_the_early_warning_list_until_handled(
    uow: FakeRegistryUnitOfWork, clock: ManualClock
) -> None:
    task = await _task(uow)
    match = await _match(uow, task, 15)
    await ask_due_check_ins(AskDueCheckIns(), uow)
    [mine] = await list_open_check_ins(ListOpenCheckIns("volunteer", match.volunteer_id), uow)
    [theirs] = await list_open_check_ins(ListOpenCheckIns("organisation", match.organisation_id), uow)

    _later(uow, clock, timedelta(days=1))
    answered = await answer_check_in(
        AnswerCheckIn(mine.id, "doubts", "Het is veel naast mijn studie.", "volunteer", party_id=match.volunteer_id),
        uow,
    )
    warned = await list_early_warnings(ListEarlyWarnings(task.centrale_id), uow)
    _later(uow, clock, timedelta(days=14))  # the organisation never answered
    silent = await list_early_warnings(ListEarlyWarnings(task.centrale_id), uow)
    await handle_early_warning(HandleEarlyWarning(mine.id, task.centrale_id, "credential:consulent"), uow)
    left = await list_early_warnings(ListEarlyWarnings(task.centrale_id), uow)

    assert (answered.answer, answered.note, answered.status) == ("doubts", "Het is veel naast mijn studie.", "answered")
    assert [(w.why, w.check_in.id) for w in warned] == [("doubts", mine.id)]
    # Oldest first: the silence started when asked, the doubts when answered (a day later).
    assert [(w.why, w.check_in.id) for w in silent] == [("unanswered", theirs.id), ("doubts", mine.id)]
    assert [(w.why, w.check_in.id) for w in left] == [("unanswered", theirs.id)]
    assert await list_early_warnings(ListEarlyWarnings("vc-elders"), uow) == []
    with pytest.raises(Conflict):
        await handle_early_warning(HandleEarlyWarning(mine.id, task.centrale_id, "credential:consulent"), uow)
    with pytest.raises(NotFound):
        await handle_early_warning(HandleEarlyWarning(theirs.id, "vc-elders", "credential:consulent"), uow)


async def test_a_check_in_is_answered_once_by_its_side_or_a_consulent(uow: FakeRegistryUnitOfWork) -> None:
    task = await _task(uow)
    match = await _match(uow, task, 15)
    await ask_due_check_ins(AskDueCheckIns(), uow)
    [theirs] = await list_open_check_ins(ListOpenCheckIns("organisation", match.organisation_id), uow)

    for stranger in (
        AnswerCheckIn(theirs.id, "good", None, "organisation", party_id=uuid4()),
        AnswerCheckIn(theirs.id, "good", None, "volunteer", party_id=match.volunteer_id),  # not the volunteer's
        AnswerCheckIn(theirs.id, "good", None, "consulent", consulent_centrale_id="vc-elders"),
        AnswerCheckIn(uuid4(), "good", None, "consulent", consulent_centrale_id=task.centrale_id),
    ):
        with pytest.raises(NotFound):
            await answer_check_in(stranger, uow)
    by_phone = await answer_check_in(
        AnswerCheckIn(theirs.id, "stopping", "Taak stopt", "consulent", consulent_centrale_id=task.centrale_id), uow
    )

    assert (by_phone.answer, by_phone.answered_by) == ("stopping", "consulent")
    with pytest.raises(Conflict, match="al beantwoord"):
        await answer_check_in(
            AnswerCheckIn(theirs.id, "good", None, "organisation", party_id=match.organisation_id), uow
        )
    [warning] = await list_early_warnings(ListEarlyWarnings(task.centrale_id), uow)
    assert warning.why == "stopping"
    await uow.proposals.put(replace(match, status="ended"))  # the match ended meanwhile
    assert await list_early_warnings(ListEarlyWarnings(task.centrale_id), uow) == []


async def test_reminders_for_an_expiring_vog_and_an_unanswered_proposal_go_once(uow: FakeRegistryUnitOfWork) -> None:
    task = await _task(uow)
    expiring = a_volunteer(task.centrale_id, vog_valid_until=NOW.date() + timedelta(days=20))
    waiting = a_volunteer(task.centrale_id)
    for volunteer in (expiring, waiting):
        await uow.volunteers.add(volunteer)
        await uow.volunteers.add_consent(Consent(volunteer.id, "matching", True, "2026-01", "self", NOW))
    old = a_proposal(task, waiting.id, proposed_at=NOW - timedelta(days=8), status="accepted", accepted_at=NOW)
    fresh = a_proposal(task, waiting.id, proposed_at=NOW - timedelta(days=2))
    with_consulent = a_proposal(task, waiting.id, proposed_at=NOW - timedelta(days=9), needs_consulent=True)
    for proposal in (old, fresh, with_consulent):
        await uow.proposals.put(proposal)

    first = await send_reminders(SendReminders(vog_within_days=30, proposals_older_than_days=7), uow)
    again = await send_reminders(SendReminders(vog_within_days=30, proposals_older_than_days=7), uow)

    assert first == {"vog_expiring": 1, "proposals_unanswered": 1, "one_off_follow_ups": 0}  # only the volunteer
    assert again == {"vog_expiring": 0, "proposals_unanswered": 0, "one_off_follow_ups": 0}
    assert sorted((n.kind, n.recipient_id == expiring.id) for n in uow.tables.notices.values()) == [
        ("proposal_unanswered", False),
        ("vog_expiring", True),
    ]
