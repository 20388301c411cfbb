"""Hours carry their own task's area, whatever plans PostgreSQL picks for the lookup.

Found comparing three loads of the bench region: in one, 82,031 of 119,358 hours facts had another task's
area, so the municipalities' figures per wijk were wrong. The run's context query read the tasks' ids and
their areas in two subqueries without an order and zipped them: once ``task_facts`` was vacuumed, the ids
came from an index-only scan (id order) and the areas from a heap scan (the rows' physical order).
"""

from __future__ import annotations

import random
from pathlib import Path
from uuid import UUID

import pytest

from common.consumer import BatchContext
from contracts.events import HoursLogged, TaskPosted
from reporting.projections._hours import on_hours_logged
from reporting.projections._tasks import on_task_posted
from tests.reporting.events import World, at
from tests.reporting.integration.conftest import Reporting
from tests.reporting.integration.test_rebuild_swap import recomputed, snapshot

pytestmark = pytest.mark.integration

# Tasks in the table (enough for the planner to read a few of them by index, as in a region) and with hours.
_TASKS = 3000
_WITH_HOURS = 12


async def test_each_hours_entry_gets_its_own_tasks_area_after_the_tasks_table_was_vacuumed(
    reporting: Reporting,
) -> None:
    world = World()
    centrale = world.centrale("areas")
    organisation = world.organisation(centrale, "3541", "2026-09-01", admitted="2026-09-02")
    volunteer = world.volunteer(centrale, "3541", "2026-09-03")
    tasks = [world.task(centrale, organisation, "zorg", f"{3600 + n % 300}", "2026-10-01") for n in range(_TASKS)]
    posted = [item for item in world.take() if isinstance(item.event, TaskPosted)]
    # Stored in an order of their own, as a region's tasks are: the table's physical order is not the ids'.
    random.Random(20261206).shuffle(posted)
    async with reporting.pool.acquire() as conn, conn.transaction():
        await on_task_posted([item.event for item in posted], BatchContext([item.envelope() for item in posted], conn))
    # Every page all-visible: the planner may now read task ids from the primary key alone (id order).
    await reporting.pool.execute("VACUUM ANALYZE task_facts")
    worked = tasks[:: _TASKS // _WITH_HOURS]
    for task in worked:
        world.hours(world.match(task, volunteer, at("2026-10-02")), "2026-10-05", "2")
    logged = [item for item in world.take() if isinstance(item.event, HoursLogged)]

    async with reporting.pool.acquire() as conn, conn.transaction():
        await on_hours_logged([item.event for item in logged], BatchContext([item.envelope() for item in logged], conn))

    rows = await reporting.pool.fetch(
        "SELECT h.task_id, h.task_area, t.postcode_area FROM hours_facts h JOIN task_facts t USING (task_id)"
        " WHERE h.task_id = ANY($1::uuid[])",
        worked,
    )
    found: dict[UUID, tuple[str, str]] = {row["task_id"]: (row["task_area"], row["postcode_area"]) for row in rows}
    assert len(found) == _WITH_HOURS
    assert {task: area for task, (area, _) in found.items()} == {task: own for task, (_, own) in found.items()}


_REPAIR = Path(__file__).parents[3] / "services/reporting/migrations/0080_hours_follow_their_task_area.sql"


async def test_the_repair_gives_hours_written_with_another_tasks_area_their_own_and_the_aggregates_follow(
    reporting: Reporting,
) -> None:
    world = World()
    centrale = world.centrale("repair")
    organisation = world.organisation(centrale, "3551", "2026-09-01", admitted="2026-09-02")
    volunteer = world.volunteer(centrale, "3551", "2026-09-03")
    tasks = [world.task(centrale, organisation, "sport", area, "2026-10-01") for area in ("3551", "3552")]
    for task in tasks:
        world.hours(world.match(task, volunteer, at("2026-10-02")), "2026-10-05", "4")
    await reporting.feed(world)
    # As the unordered query wrote them: each task's hours with the other task's area, folded so.
    await reporting.pool.execute(
        "UPDATE hours_facts SET task_area = CASE task_area WHEN '3551' THEN '3552' ELSE '3551' END"
        " WHERE task_id = ANY($1::uuid[])",
        tasks,
    )
    assert await snapshot(reporting) == await recomputed(reporting)  # wrong facts, aggregates true to them

    await reporting.pool.execute(_REPAIR.read_text())

    rows = await reporting.pool.fetch(
        "SELECT h.task_area, t.postcode_area FROM hours_facts h JOIN task_facts t USING (task_id)"
        " WHERE h.task_id = ANY($1::uuid[])",
        tasks,
    )
    assert sorted((row["task_area"], row["postcode_area"]) for row in rows) == [("3551", "3551"), ("3552", "3552")]
    assert await snapshot(reporting) == await recomputed(reporting)  # the aggregates moved with the areas
