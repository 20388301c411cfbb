"""A run of hours entries at once awards exactly what the entries one by one award (on fakes)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from appreciation import domain
from appreciation.config import SERVICE
from appreciation.domain import Award
from appreciation.use_cases import awards
from appreciation.use_cases.hours import RecordHours, record_hours, record_hours_run
from common.clock import ManualClock
from common.uow import Origin
from contracts import EventEnvelope
from contracts.events import AppreciationAwarded, HoursLogged
from tests.appreciation.builders import CENTRALE, hours_entry, known, match_of, trigger
from tests.appreciation.fakes import FakeAppreciationUnitOfWork
from tests.appreciation.streams import apply, nldoet_stream

NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)


class _EventUnitOfWork(FakeAppreciationUnitOfWork):
    """A fake unit of work that, like the consumer's, knows the event it applies."""

    envelope: EventEnvelope

    def for_event(self, envelope: EventEnvelope) -> _EventUnitOfWork:
        self.envelope = envelope
        self.renew(Origin.of_event(envelope, SERVICE))
        return self


def _awards(uow: FakeAppreciationUnitOfWork) -> dict[UUID, Award]:
    """Every award, its moment left out (the one thing that differs between two runs of the same events)."""
    return {award_id: replace(a, awarded_at=NOW) for award_id, a in uow.awards.awards.items()}


def _announced(uow: FakeAppreciationUnitOfWork) -> list[tuple[Any, str, UUID | None]]:
    return [
        (e.event.model_copy(update={"awarded_at": NOW}), e.tenant, e.event_id)
        for e in uow.emitted
        if isinstance(e.event, AppreciationAwarded)
    ]


@pytest.fixture(scope="module")
def stream() -> list[Any]:
    """The small NLdoet stream with its edge cases (generated once for the module)."""
    return nldoet_stream()


async def test_a_generated_nldoet_stream_gives_the_same_awards_and_announcements_either_way(stream: list[Any]) -> None:
    one_by_one, in_runs = _EventUnitOfWork(clock=ManualClock(NOW)), _EventUnitOfWork(clock=ManualClock(NOW))

    await apply(stream, runs=False, unit_of_work=one_by_one.for_event)
    await apply(stream, runs=True, unit_of_work=in_runs.for_event)

    expected = _awards(one_by_one)
    assert _awards(in_runs) == expected
    assert _announced(in_runs) == _announced(one_by_one)
    assert in_runs.hours.entries == one_by_one.hours.entries
    assert in_runs.volunteers.volunteers == one_by_one.volunteers.volunteers
    # The stream reaches what it was made for: many NLdoet participants, and every edge.
    kinds = [a.rule_id for a in expected.values()]
    assert kinds.count("nldoet") > 500
    assert {"hours-10", "hours-25", "hours-50", "hours-100", "mdt-basis", "anniversary-1", "first-match"} <= set(kinds)
    # A run announces each award with its own trigger's origin.
    from_runs = [e for e in in_runs.emitted if getattr(e.event, "trigger_event_type", "") == HoursLogged.event_type]
    assert len(from_runs) > 500
    for emitted in from_runs:
        assert isinstance(emitted.event, AppreciationAwarded)
        assert emitted.origin is not None
        assert emitted.origin.causation_id == emitted.event.trigger_event_id


async def test_several_thresholds_crossed_in_one_run_each_name_the_entry_that_crossed_them(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    volunteer_id = uuid4()
    registered = datetime(2026, 1, 5, tzinfo=UTC)
    await awards.record_volunteer(awards.RecordVolunteer(volunteer_id, CENTRALE, "18-20", registered, trigger()), uow)
    days = [date(2026, 2, day) for day in (2, 5, 9, 12, 16, 19, 23)]
    commands = [RecordHours(hours_entry(volunteer_id, "15", day), trigger(day)) for day in days]

    awarded = await record_hours_run(commands, uow)

    given = {uow.awards.awards[a].rule_id: uow.awards.awards[a] for a in awarded}
    assert list(given) == ["hours-10", "hours-25", "hours-50", "mdt-basis", "hours-100"]
    crossed_by = {rule_id: award.trigger_event_id for rule_id, award in given.items()}
    assert crossed_by == {
        "hours-10": commands[0].trigger.event_id,  # 15 h
        "hours-25": commands[1].trigger.event_id,  # 30 h
        "hours-50": commands[3].trigger.event_id,  # 60 h
        "mdt-basis": commands[5].trigger.event_id,  # 90 h within half a year
        "hours-100": commands[6].trigger.event_id,  # 105 h
    }
    assert [e.event_id for e in uow.emitted] == awarded


async def test_a_run_counts_an_entry_once_skips_erased_volunteers_and_awards_nothing_twice(
    uow: FakeAppreciationUnitOfWork,
) -> None:
    kept, erased = uuid4(), uuid4()
    await known(uow, kept)
    await awards.erase_volunteer(awards.EraseVolunteer(erased, CENTRALE, datetime(2026, 1, 1, tzinfo=UTC)), uow)
    first = hours_entry(kept, "6")
    run = [
        RecordHours(first, trigger()),
        RecordHours(replace(first, event_id=uuid4()), trigger()),  # re-published: 12 hours if counted twice
        RecordHours(hours_entry(erased, "40"), trigger()),
        RecordHours(hours_entry(kept, "3"), trigger()),
    ]

    assert await record_hours_run(run, uow) == []
    assert await record_hours_run([RecordHours(hours_entry(kept, "1"), trigger())], uow) == [
        domain.award_id_for(CENTRALE, "hours-10", kept, "")
    ]
    assert await record_hours_run([RecordHours(hours_entry(kept, "1"), trigger())], uow) == []
    assert sorted(e.hours for e in uow.hours.entries.values()) == sorted([first.hours, 3, 1, 1])
    assert erased not in uow.volunteers.volunteers
    assert await record_hours_run([RecordHours(hours_entry(erased, "40"), trigger())], uow) == []
    assert await record_hours_run([], uow) == []


async def test_an_award_given_before_the_run_is_not_given_again_by_it(uow: FakeAppreciationUnitOfWork) -> None:
    volunteer_id = uuid4()
    await known(uow, volunteer_id)
    await record_hours(RecordHours(hours_entry(volunteer_id, "11"), trigger()), uow)
    before = set(uow.awards.awards)

    awarded = await record_hours_run(
        [
            RecordHours(hours_entry(volunteer_id, "1"), trigger()),
            RecordHours(hours_entry(volunteer_id, "14"), trigger()),
        ],
        uow,
    )

    assert awarded == [domain.award_id_for(CENTRALE, "hours-25", volunteer_id, "")]
    assert before < set(uow.awards.awards)


async def test_a_run_after_earlier_awards_gives_each_new_one_once_as_entry_by_entry_would() -> None:
    # Last year's NLdoet and 10 hours were given before; this run has two entries on this year's NLdoet days
    # and crosses 25 hours twice over: NLdoet stays open for its new year, 10 hours is never given again.
    volunteer_id = uuid4()
    before = [RecordHours(hours_entry(volunteer_id, "12", date(2025, 3, 14)), trigger(date(2025, 3, 14)))]
    run = [
        RecordHours(hours_entry(volunteer_id, "6", date(2026, 3, 13)), trigger(date(2026, 3, 13))),
        RecordHours(hours_entry(volunteer_id, "8", date(2026, 3, 14)), trigger(date(2026, 3, 14))),
        RecordHours(hours_entry(volunteer_id, "4", date(2026, 3, 14)), trigger(date(2026, 3, 14))),
    ]
    one_by_one, in_run = _EventUnitOfWork(clock=ManualClock(NOW)), _EventUnitOfWork(clock=ManualClock(NOW))
    for uow in (one_by_one, in_run):
        await known(uow, volunteer_id)
        await record_hours_run(before, uow)
    expected = [award_id for command in run for award_id in await record_hours(command, one_by_one)]

    awarded = await record_hours_run(run, in_run)

    assert awarded == expected
    assert _awards(in_run) == _awards(one_by_one)
    new = [in_run.awards.awards[award_id] for award_id in awarded]
    assert [(a.rule_id, a.occurrence, a.trigger_event_id) for a in new] == [
        ("nldoet", "2026", run[0].trigger.event_id),  # 18 h
        ("hours-25", "", run[1].trigger.event_id),  # 26 h
    ]
    assert [e.event_id for e in in_run.emitted][-2:] == awarded


async def test_a_run_whose_entries_cannot_be_stored_fails_and_gives_nothing(uow: FakeAppreciationUnitOfWork) -> None:
    # The entries are stored while the rules are evaluated: their failure still fails the run, before any award.
    async def refused(entries: Any) -> None:
        raise RuntimeError("hours not stored")

    uow.hours.add = refused  # type: ignore[method-assign]
    volunteer_id = uuid4()

    with pytest.raises(RuntimeError, match="hours not stored"):
        await record_hours_run([RecordHours(hours_entry(volunteer_id, "30"), trigger())], uow)

    assert uow.awards.awards == {}
    assert uow.emitted == []


@pytest.mark.parametrize("as_run", [False, True], ids=["one-entry", "run"])
async def test_hours_before_the_match_award_under_the_volunteers_own_centrale_only(
    uow: FakeAppreciationUnitOfWork, as_run: bool
) -> None:
    # Regional overflow: a volunteer of vc-elders worked at a task of CENTRALE, and the hours (naming the task's
    # centrale) arrived before the match (another topic). Awarded under that guess, the volunteer had each
    # milestone twice once the match told their own centrale: award ids name the centrale.
    volunteer_id, own = uuid4(), "vc-elders"
    entry = hours_entry(volunteer_id, "12")
    if as_run:
        assert await record_hours_run([RecordHours(entry, trigger())], uow) == []
    else:
        assert await record_hours(RecordHours(entry, trigger()), uow) == []

    match = match_of(volunteer_id, volunteer_centrale_id=own)
    awarded = await awards.record_match(awards.RecordMatch(match, trigger()), uow)

    given = sorted((award.centrale_id, award.rule_id) for award in uow.awards.awards.values())
    assert given == [(own, "first-match"), (own, "hours-10")]
    assert sorted(awarded) == sorted(uow.awards.awards)
