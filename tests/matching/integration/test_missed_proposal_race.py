"""A profile change and a task posting at the same moment: whichever commits first, the proposal is made.

Issue 12: a volunteer's new VOG and a VOG task applied at once in two transactions (two topics, two
subscriber batches) each missed the other, so neither proposed. Both now take their centrale's turn
before they read; the two events are applied here through matching's handlers on real PostgreSQL, one
after the other in both orders, and at the same moment in both orders (the second transaction open
while the first is, and waiting for it).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
import pytest_asyncio

from common.clock import ManualClock
from common.db import RUNTIME_MIGRATIONS, apply_migrations, create_pool
from common.outbox import make_envelope
from common.uow import Origin, UnitOfWorkFactory
from contracts import Event
from contracts.events import TaskPosted, VolunteerProfileUpdated, VolunteerRegistered, WeeklySlot
from matching import handlers
from matching.candidates import CandidateIndexCache
from matching.domain.policy import MatchingPolicy
from matching.unit_of_work import PostgresMatchingUnitOfWork, matching_unit_of_work
from tests.support.transactions import second_waits_for_first

pytestmark = pytest.mark.integration

MIGRATIONS = Path(__file__).resolve().parents[3] / "services" / "matching" / "migrations"
NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
CENTRALE = "vc-race"
TUESDAY_MORNING = [WeeklySlot(weekday=2, start=time(9), end=time(12))]
HANDLERS: dict[type[Event], Callable[[Any, PostgresMatchingUnitOfWork], Awaitable[None]]] = {
    VolunteerRegistered: handlers.on_volunteer,
    VolunteerProfileUpdated: handlers.on_volunteer,
    TaskPosted: handlers.on_task_posted,
}


@pytest_asyncio.fixture(loop_scope="session")
async def pool(fresh_database: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(fresh_database, 4)
    await apply_migrations(pool, RUNTIME_MIGRATIONS, MIGRATIONS)
    yield pool
    await pool.close()


def _applier(factory: UnitOfWorkFactory) -> Callable[[asyncpg.Connection, Event], Awaitable[None]]:
    """Apply an event as matching's consumer does: its handler, on matching's unit of work for the event."""

    async def apply(conn: asyncpg.Connection, event: Event) -> None:
        envelope = make_envelope(event, source="/regions/testregio/registry", tenant=CENTRALE, region="testregio")
        uow = factory(conn, Origin.of_event(envelope, "matching"), ManualClock(NOW), envelope)
        assert isinstance(uow, PostgresMatchingUnitOfWork)
        await HANDLERS[type(event)](event, uow)

    return apply


def _volunteer(volunteer_id: UUID, event: type[VolunteerRegistered | VolunteerProfileUpdated], **changes: Any) -> Event:
    profile: dict[str, Any] = {
        "volunteer_id": volunteer_id,
        "centrale_id": CENTRALE,
        "skills": ["koken"],
        "interests": ["zorg"],
        "availability": TUESDAY_MORNING,
        "matching_consent": True,
        **changes,
    }
    if event is VolunteerRegistered:
        return VolunteerRegistered(**profile, registered_at=NOW)
    return VolunteerProfileUpdated(**profile, updated_at=NOW)


def _task(centrale_id: str, *, vog_required: bool) -> TaskPosted:
    return TaskPosted(
        task_id=uuid4(),
        organisation_id=uuid4(),
        centrale_id=centrale_id,
        theme="zorg",
        skills=["koken"],
        shifts=TUESDAY_MORNING,
        capacity=2,
        hours_per_week=3,
        vog_required=vog_required,
        posted_at=NOW,
    )


async def _in_transaction(pool: asyncpg.Pool, apply: Callable[[asyncpg.Connection], Awaitable[None]]) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await apply(conn)  # type: ignore[arg-type]  # a pool's proxy stands in for the connection


@pytest.mark.parametrize("first", ["new VOG", "VOG task"])
@pytest.mark.parametrize("timing", ["one after the other", "at the same moment"])
async def test_a_new_vog_and_a_vog_task_meet_in_a_proposal_whichever_comes_first(
    pool: asyncpg.Pool, first: str, timing: str
) -> None:
    apply = _applier(matching_unit_of_work(CandidateIndexCache(), MatchingPolicy()))
    volunteer_id = uuid4()
    # Known to matching without a VOG; the index has been loaded (a task of another centrale was posted).
    await _in_transaction(pool, lambda conn: apply(conn, _volunteer(volunteer_id, VolunteerRegistered)))
    await _in_transaction(pool, lambda conn: apply(conn, _task("vc-elsewhere", vog_required=False)))
    new_vog = _volunteer(volunteer_id, VolunteerProfileUpdated, vog_valid_until=date(2029, 11, 20))
    vog_task = _task(CENTRALE, vog_required=True)

    def profile(conn: asyncpg.Connection) -> Awaitable[None]:
        return apply(conn, new_vog)

    def task(conn: asyncpg.Connection) -> Awaitable[None]:
        return apply(conn, vog_task)

    ordered = (profile, task) if first == "new VOG" else (task, profile)
    if timing == "at the same moment":
        await second_waits_for_first(pool, *ordered)
    else:
        for step in ordered:
            await _in_transaction(pool, step)

    proposals = await pool.fetch("SELECT volunteer_id, status FROM proposals WHERE task_id = $1", vog_task.task_id)
    assert [(row["volunteer_id"], row["status"]) for row in proposals] == [(volunteer_id, "proposed")]
    announced = await pool.fetchval(
        "SELECT count(*) FROM outbox"
        " WHERE topic = 'matching.matches.v1' AND convert_from(payload, 'UTF8')::jsonb ->> 'task_id' = $1",
        str(vog_task.task_id),
    )
    assert announced == 1
