"""Fair credit after regional overflow (issue 18, point 6): a neighbour centrale's volunteer's hours and activity
count for the task's centrale and the volunteer's home centrale, and once for the region."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.events import HoursLogged
from reporting.projections._matches import _HOURS_HOME
from tests.reporting.events import World, at
from tests.reporting.integration.conftest import Reporting
from tests.reporting.integration.test_hours_corrections import assert_aggregates_agree

pytestmark = pytest.mark.integration


def headline(figures: dict[str, Any]) -> dict[str, Any]:
    """KPI → shown value."""
    return {item["kpi"]: item["value"] for item in figures["headline"]}


async def test_a_neighbour_centrales_volunteers_hours_count_for_both_centrales_and_once_for_the_region(
    reporting: Reporting,
) -> None:
    world = World()
    west, east = world.centrale("west"), world.centrale("east")
    await reporting.configure(
        {west: ("GM0981", "Westdorp"), east: ("GM0982", "Oostdorp")},
        [("2461", "WK098101", "Centrum"), ("2462", "WK098201", "Haven")],
    )
    organisation = world.organisation(west, "2461", "2026-09-01", admitted="2026-09-01")
    task = world.task(west, organisation, "sport", "2461", "2026-09-02")
    # Five of West's own volunteers give 1 hour each; five of East's, placed through overflow, 2 hours each.
    locals_ = [world.volunteer(west, "2461", "2026-09-01") for _ in range(5)]
    neighbours = [world.volunteer(east, "2462", "2026-09-01") for _ in range(5)]
    for volunteer in locals_:
        world.hours(world.match(task, volunteer, at("2026-10-01")), "2026-10-05", "1")
    await reporting.feed(world)
    # Three neighbours' hours reach reporting before their matches do (hours and matches are other topics).
    matches = [world.match(task, volunteer, at("2026-10-01")) for volunteer in neighbours]
    for match in matches:
        world.hours(match, "2026-10-06", "2")
    events = world.take()
    early = [e for e in events if isinstance(e.event, HoursLogged)][:3]
    await reporting.publish(early)
    await reporting.settle()
    await reporting.publish([e for e in events if e not in early])
    await reporting.settle()

    region = headline(await reporting.json("/v1/region/figures", period="2026-10"))
    own = headline(await reporting.json(f"/v1/centrales/{west}/figures", period="2026-10"))
    home = headline(await reporting.json(f"/v1/centrales/{east}/figures", period="2026-10"))
    west_town = headline(await reporting.json("/v1/municipalities/GM0981/figures", period="2026-10"))
    east_town = headline(await reporting.json("/v1/municipalities/GM0982/figures", period="2026-10"))
    # The task's centrale: all 15 hours by 10 people; the home centrale: its 5 volunteers' 10 hours; the region
    # counts every hour and person once (15 and 10), not 25 and 15.
    assert (own["hours"], own["volunteers_active"]) == (15, 10)
    assert (home["hours"], home["volunteers_active"]) == (10, 5)
    assert (region["hours"], region["volunteers_active"]) == (15, 10)
    assert (west_town["hours"], west_town["volunteers_active"]) == (15, 10)
    assert (east_town["hours"], east_town["volunteers_active"]) == (10, 5)
    # The matches already credited both (as before): 10 for West, 5 for East, 10 for the region.
    assert (own["matches_made"], home["matches_made"], region["matches_made"]) == (10, 5, 10)
    # What the triggers keep equals a recomputation and today's reference computation from the facts.
    await assert_aggregates_agree(reporting, "2026")


async def test_a_match_finds_its_early_hours_through_an_index_not_by_reading_every_hours_fact(
    reporting: Reporting,
) -> None:
    # hours_facts grows with history; a batch of matches that read all of it took 6-9 s at 100,000 volunteers.
    # With sequential scans priced out, the plan uses an index on hours_facts when one fits the statement.
    async with reporting.pool.acquire() as conn, conn.transaction():
        await conn.execute("SET LOCAL enable_seqscan = off")
        plan = "\n".join(
            row[0] for row in await conn.fetch("EXPLAIN " + _HOURS_HOME, ["00000000-0000-0000-0000-0000000000aa"])
        )

    assert "Seq Scan on hours_facts" not in plan, plan
