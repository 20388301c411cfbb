"""A figures read reuses the period's cube only while nothing it was built from changed (reporting.read_cache)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import pytest

from common.consumer import EventConsumer
from reporting.api import _plumbing as plumbing
from reporting.api._plumbing import Cubes
from reporting.cells import figures_change_by_time_at
from reporting.cube import Cube
from reporting.folding import fold_hours
from reporting.periods import Period
from reporting.queries import build_cube
from reporting.read_cache import CubeCache
from tests.reporting.events import World, at, consumer_records
from tests.reporting.integration.conftest import Reporting, running_reporting
from tests.reporting.read_tables import relations_a_read_names, tables_without_read_trigger

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def reporting(kafka_bootstrap: str, postgres_server_dsn: str) -> AsyncIterator[Reporting]:
    """A reporting service of this module's own without its background fold: the tests fold when they mean to."""
    async with running_reporting(kafka_bootstrap, postgres_server_dsn, workers=False) as service:
        yield service


async def _apply(reporting: Reporting, world: World) -> None:
    """Apply what the world produced through the service's own consumer (no Kafka, no background fold)."""
    consumer = reporting.app.state.runtime.consumer
    assert isinstance(consumer, EventConsumer)
    assert await consumer.process_batch(consumer_records(world.take()))


def _region(cube: Cube, kpi: str) -> object:
    cell = cube.cells.get((kpi, "region", None, None, None))
    return None if cell is None else cell.value


async def _version(reporting: Reporting) -> int:
    return int(await reporting.pool.fetchval("SELECT version FROM read_version"))


async def test_every_table_a_figures_read_names_moves_the_read_version(reporting: Reporting) -> None:
    # A table without the trigger could change while a cube built from it is served again.
    assert {"agg_hours", "match_facts", "centrale_municipalities", "districts", "partner_facts"} <= (
        relations_a_read_names()
    )
    assert await tables_without_read_trigger(reporting.pool) == []


async def test_a_cube_is_reused_until_an_event_changes_what_it_was_built_from(reporting: Reporting) -> None:
    cubes, period = Cubes(reporting.pool, CubeCache()), Period.parse("2030")
    world = World()
    centrale = world.centrale("cache")
    organisation = world.organisation(centrale, "3571", "2030-01-02", admitted="2030-01-03")
    task = world.task(centrale, organisation, "natuur", "3571", "2030-02-01")
    volunteer = world.volunteer(centrale, "3571", "2030-02-02")
    match = world.match(task, volunteer, at("2030-02-03"))
    await _apply(reporting, world)

    first = await cubes.of(period)
    assert await cubes.of(period) is first  # nothing changed: the same cube
    assert _region(first, "tasks_posted") == 1

    # A task posted: the projection changes the aggregates, the version moves, the next read builds again.
    world.task(centrale, organisation, "zorg", "3571", "2030-03-01")
    await _apply(reporting, world)
    second = await cubes.of(period)
    assert second is not first
    assert _region(second, "tasks_posted") == 2

    # New hours only queue for the fold (an NLdoet burst never waits for this row): the version stays, and a
    # read folds them in first, which moves it.
    world.hours(match, "2030-03-02", "2.5")
    version = await _version(reporting)
    await _apply(reporting, world)
    assert await _version(reporting) == version
    third = await cubes.of(period)
    assert await _version(reporting) > version
    assert third is not second
    assert _region(third, "hours") == Decimal("2.5")
    assert await cubes.of(period) is third

    # Configuration is read too: a centrale linked to its municipality moves the version.
    await reporting.configure({centrale: ("GM0344", "Utrecht")}, [])
    fourth = await cubes.of(period)
    assert fourth is not third
    assert "m:GM0344" in fourth.scopes


async def test_figures_change_by_time_at_a_current_matchs_next_mark_or_else_the_next_month(
    reporting: Reporting,
) -> None:
    # Retention counts the current month's matches once they reach 3, 6 or 12 months: the one moment the figures
    # change with no event, besides the month turning. 14:30 UTC in February is 15:30 in Amsterdam.
    world = World()
    centrale = world.centrale("marks")
    organisation = world.organisation(centrale, "3581", "2031-01-02", admitted="2031-01-03")
    task = world.task(centrale, organisation, "natuur", "3581", "2031-01-04")
    world.match(task, world.volunteer(centrale, "3581", "2031-01-05"), at("2031-02-10", 14).replace(minute=30))
    await _apply(reporting, world)
    period = Period.parse("2031")

    async with reporting.pool.acquire() as conn:
        before_the_mark = await figures_change_by_time_at(conn, period, datetime(2031, 5, 10, 9, 0))
        after_it = await figures_change_by_time_at(conn, period, datetime(2031, 5, 10, 16, 0))
        outside_the_period = await figures_change_by_time_at(conn, Period.parse("2030"), datetime(2031, 5, 10, 9, 0))

    assert before_the_mark == datetime(2031, 5, 10, 15, 30)
    assert after_it == datetime(2031, 6, 1)
    assert outside_the_period == datetime(2031, 6, 1)


async def test_the_fold_alone_moves_the_version(reporting: Reporting) -> None:
    world = World()
    centrale = world.centrale("fold-version")
    organisation = world.organisation(centrale, "3591", "2030-01-02", admitted="2030-01-03")
    task = world.task(centrale, organisation, "natuur", "3591", "2030-02-01")
    match = world.match(task, world.volunteer(centrale, "3591", "2030-02-02"), at("2030-02-03"))
    await _apply(reporting, world)
    world.hours(match, "2030-02-04", "1")
    await _apply(reporting, world)
    version = await _version(reporting)

    assert await fold_hours(reporting.pool) >= 1

    assert await _version(reporting) == version + 1  # once per transaction, however many statements it ran


async def test_reads_of_one_period_that_miss_together_build_it_once(
    reporting: Reporting, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A region's municipalities opening their reports at once: one build, the others wait for it.
    builds = 0

    async def counted(*arguments: Any, **keywords: Any) -> Cube:
        nonlocal builds
        builds += 1
        await asyncio.sleep(0.2)  # long enough for the other reads to arrive while it builds
        return await build_cube(*arguments, **keywords)

    monkeypatch.setattr(plumbing, "build_cube", counted)
    cubes, period = Cubes(reporting.pool, CubeCache()), Period.parse("2030-Q1")

    first, second, third = await asyncio.gather(cubes.of(period), cubes.of(period), cubes.of(period))

    assert builds == 1
    assert first is second is third
