"""``take_turns`` locks, before any run, every entity stripe the runs lock: ``entities`` names each projection's."""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from common.consumer import BatchContext
from common.locks import KeyedLock
from contracts import Event, EventEnvelope
from contracts.events import (
    HistoricHoursEntry,
    HistoricHoursImported,
    HoursCorrected,
    HoursLogged,
    HoursRejected,
    TaskPosted,
    TaskUpdated,
)
from reporting.projections import PROJECTIONS, entities
from tests.reporting.events import World, at


class _Stop(Exception):
    """The projection asked for rows: the locks it takes come before that."""


class _LockRecorder:
    """A connection that keeps the entity keys locked through it and answers every other statement with nothing."""

    def __init__(self) -> None:
        self.keys: set[str] = set()

    async def execute(self, query: str, *arguments: Any) -> str:
        if "unnest" in query and arguments and arguments[0] == int(KeyedLock.REPORTING_ENTITY):
            self.keys |= set(arguments[1])
        return ""

    async def fetch(self, *_: Any) -> list[Any]:
        raise _Stop

    fetchval = fetchrow = executemany = copy_records_to_table = fetch


def _every_projected_event() -> list[tuple[Event, EventEnvelope]]:
    """One event of every projected type (a team day's, a historic import with and without tasks, ...)."""
    world = World()
    centrale = world.centrale("turns")
    organisation = world.organisation(centrale, "3561", "2026-09-01", admitted="2026-09-02")
    world.organisation(centrale, "3562", "2026-09-01", refused="2026-09-03")
    task = world.task(centrale, organisation, "natuur", "3561", "2026-09-05")
    volunteer = world.volunteer(centrale, "3561", "2026-09-06")
    world.profile(volunteer, "3562", "2026-09-07")
    world.consent(volunteer, "matching", True, "2026-09-07")
    world.proposal(task, volunteer, at("2026-09-08"))
    match = world.match(task, volunteer, at("2026-09-09"))
    world.hours(match, "2026-09-10", "2")
    world.historic_hours(volunteer, organisation, [("2025-05-01", "3")], recorded=at("2026-09-11"))
    world.end(match, "2026-09-12")
    world.team_day(world.partner("Bedrijf"), task, "2026-09-13", 5, 4, "16")
    world.close(task, "filled", "2026-09-14")
    world.erase(volunteer, "2026-09-15")
    events = [(item.event, item.envelope()) for item in world.take()]
    logged = next(event for event, _ in events if isinstance(event, HoursLogged))
    posted = next(event for event, _ in events if isinstance(event, TaskPosted))
    fields = logged.model_dump()
    moment = datetime(2026, 9, 16, 10, tzinfo=UTC)
    more: list[Event] = [
        HoursCorrected.model_validate(
            {**fields, "previous_hours": Decimal(2), "hours": Decimal(3), "counted": True, "reason": "typo",
             "corrected_by": "consulent", "corrected_at": moment}
        ),
        HoursRejected.model_validate(
            {**fields, "counted": True, "reason": "niet gewerkt", "logged_by": "organisatie", "rejected_at": moment}
        ),
        TaskUpdated.model_validate({**posted.model_dump(), "updated_at": moment}),
    ]  # fmt: skip
    historic = next(event for event, _ in events if isinstance(event, HistoricHoursImported))
    entry = HistoricHoursEntry(
        hours_id=uuid4(), organisation_id=organisation, task_id=task, theme="zorg", worked_on=date(2025, 6, 1),
        hours=Decimal(1),
    )  # fmt: skip
    more.append(historic.model_copy(update={"entries": [*historic.entries, entry]}))
    for event in more:
        events.append((event, events[0][1].model_copy(update={"type": event.event_type})))
    assert {type(event) for event, _ in events} == set(PROJECTIONS)
    return events


def _keys(tasks: list[UUID], persons: list[UUID]) -> set[str]:
    return {f"task:{task}" for task in tasks} | {f"person:{person}" for person in persons}


@pytest.mark.parametrize(("event", "envelope"), _every_projected_event(), ids=lambda value: type(value).__name__)
async def test_entities_names_every_stripe_the_projection_locks(event: Event, envelope: EventEnvelope) -> None:
    connection = _LockRecorder()
    with contextlib.suppress(_Stop):
        await PROJECTIONS[type(event)]([event], BatchContext(envelopes=[envelope], conn=connection))  # type: ignore[arg-type]
    assert connection.keys == _keys(*entities(event))
