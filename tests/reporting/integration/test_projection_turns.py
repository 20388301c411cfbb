"""Projections of different topics that derive rows from the same task take turns (no write skew between them)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import pytest

from common.consumer import BatchContext
from contracts.events import MatchEnded, MatchMade, TaskPosted, VolunteerRegistered
from reporting.projections._matches import on_match_ended, on_match_made
from reporting.projections._proposals import on_match_proposed
from reporting.projections._tasks import on_task_closed, on_task_posted
from reporting.projections._volunteers import on_volunteer_registered
from tests.reporting.events import Published, World, at
from tests.reporting.integration.conftest import Reporting

pytestmark = pytest.mark.integration

Projection = Callable[[Sequence[Any], BatchContext], Awaitable[None]]


async def _applied_beside(
    reporting: Reporting, first: tuple[Projection, Published], second: tuple[Projection, Published]
) -> bool:
    """Apply ``first`` in a transaction left open, then ``second`` in another, then commit ``first`` and let
    ``second`` finish; whether ``second`` was still waiting half a second after it began."""
    (apply_first, earlier), (apply_second, later) = first, second
    async with reporting.pool.acquire() as first_conn, reporting.pool.acquire() as second_conn:
        first_work = first_conn.transaction()
        await first_work.start()
        await apply_first([earlier.event], BatchContext([earlier.envelope()], first_conn))
        async with second_conn.transaction():
            applying = asyncio.create_task(apply_second([later.event], BatchContext([later.envelope()], second_conn)))
            await asyncio.sleep(0.5)
            waited = not applying.done()
            await first_work.commit()  # the first is in; the second may go on and must see it
            await applying
    return waited


async def test_a_proposal_applied_while_its_task_closes_is_counted_as_the_tasks_answer(reporting: Reporting) -> None:
    # Found in CI: the proposal (matching.matches.v1) and the task's closing (registry.tasks.v1) were applied in
    # concurrent transactions; each recomputed the task's demand without seeing the other's row, and the later
    # write kept a task that was answered as "unanswered" (or a closed task as open).
    # Applied straight to the projections, not published: other modules' tests count what is on the topics.
    world = World()
    centrale = world.centrale("turns")
    organisation = world.organisation(centrale, "2801", "2026-09-01", admitted="2026-09-02")
    task = world.task(centrale, organisation, "zorg", "2801", "2026-10-05", capacity=3)
    volunteer = world.volunteer(centrale, "2801", "2026-10-01")
    [posted] = [published for published in world.take() if isinstance(published.event, TaskPosted)]
    async with reporting.pool.acquire() as conn, conn.transaction():
        await on_task_posted([posted.event], BatchContext([posted.envelope()], conn))
    world.close(task, "filled", "2026-11-20")
    [closed] = world.take()
    world.proposal(task, volunteer, at("2026-10-07"))
    [proposed] = world.take()

    waited = await _applied_beside(reporting, (on_task_closed, closed), (on_match_proposed, proposed))

    assert waited, "the proposal was applied while the task's closing was still open"
    demand = await reporting.pool.fetchrow("SELECT answered, closed FROM task_demand WHERE task_id = $1", task)
    assert demand is not None
    assert (str(demand["answered"]), str(demand["closed"])) == ("2026-10-01", "2026-11-01")


async def test_a_match_ending_while_its_volunteer_registers_is_in_the_volunteers_supply(reporting: Reporting) -> None:
    # Found in CI (the rebuild test): a match's end (matching.matches.v1) and its volunteer's registration
    # (registry.volunteers.v1) were applied in concurrent transactions. The end recomputed the supply without
    # the registration (no volunteer yet), the registration without the end, and the volunteer's supply lacked
    # the month their match ended. The end took only the task's turn, not the volunteer's.
    world = World()
    centrale = world.centrale("turns-supply")
    organisation = world.organisation(centrale, "2802", "2026-09-01", admitted="2026-09-02")
    task = world.task(centrale, organisation, "natuur", "2802", "2026-09-05")
    volunteer = world.volunteer(centrale, "2802", "2026-09-10", interests=("natuur",))
    match = world.match(task, volunteer, at("2026-09-12"))
    world.end(match, "2026-11-20")
    published = world.take()
    [registered] = [p for p in published if isinstance(p.event, VolunteerRegistered)]
    [made] = [p for p in published if isinstance(p.event, MatchMade)]
    [ended] = [p for p in published if isinstance(p.event, MatchEnded)]
    async with reporting.pool.acquire() as conn, conn.transaction():
        await on_match_made([made.event], BatchContext([made.envelope()], conn))

    waited = await _applied_beside(reporting, (on_match_ended, ended), (on_volunteer_registered, registered))

    assert waited, "the registration was applied while the volunteer's match was still ending"
    supply = await reporting.pool.fetchrow(
        "SELECT months, available FROM volunteer_supply WHERE person_key = $1", volunteer
    )
    assert supply is not None
    # Available from September (one running match is not three), still available after it ended in November.
    assert ([str(month) for month in supply["months"]], supply["available"]) == (
        ["2026-09-01", "2026-11-01"],
        [True, True],
    )
