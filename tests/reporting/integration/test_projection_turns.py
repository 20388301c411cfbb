"""Projections of different topics that derive rows from the same task take turns (no write skew between them)."""

from __future__ import annotations

import asyncio

import pytest

from common.consumer import BatchContext
from contracts.events import MatchEnded, MatchMade, TaskPosted, VolunteerRegistered
from reporting.projections._matches import on_match_ended, on_match_made
from reporting.projections._proposals import on_match_proposed
from reporting.projections._tasks import on_task_closed, on_task_posted
from reporting.projections._volunteers import on_volunteer_registered
from tests.reporting.events import World, at
from tests.reporting.integration.conftest import Reporting

pytestmark = pytest.mark.integration


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

    async with reporting.pool.acquire() as closing, reporting.pool.acquire() as proposing:
        closing_work = closing.transaction()
        await closing_work.start()
        await on_task_closed([closed.event], BatchContext([closed.envelope()], closing))
        async with proposing.transaction():
            applying = asyncio.create_task(
                on_match_proposed([proposed.event], BatchContext([proposed.envelope()], proposing))
            )
            await asyncio.sleep(0.5)
            waited = not applying.done()
            await closing_work.commit()  # the closing is in; the proposal may go on and must see it
            await applying

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

    async with reporting.pool.acquire() as ending, reporting.pool.acquire() as registering:
        ending_work = ending.transaction()
        await ending_work.start()
        await on_match_ended([ended.event], BatchContext([ended.envelope()], ending))
        async with registering.transaction():
            applying = asyncio.create_task(
                on_volunteer_registered([registered.event], BatchContext([registered.envelope()], registering))
            )
            await asyncio.sleep(0.5)
            waited = not applying.done()
            await ending_work.commit()  # the end is in; the registration may go on and must see it
            await applying

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
