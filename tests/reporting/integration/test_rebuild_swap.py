"""Replay: rebuilding every projection from the topics into fresh tables while events keep coming equals incremental."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import asyncpg
import pytest

from common import keyring
from common.locks import Lock
from common.ops import commit_offsets, replay_projection
from reporting import rebuild
from reporting.folding import fold_hours
from reporting.kpis import MIN_PEOPLE
from reporting.main import SPEC
from reporting.rebuild import PROJECTION_TABLES, RebuildRunningError, rebuild_projections
from tests.reporting.events import World, at
from tests.reporting.integration.conftest import Reporting, Scenario, running_reporting
from tests.reporting.read_tables import tables_without_read_trigger

pytestmark = pytest.mark.integration

_REBUILD_LOCK = Lock.REPORTING_REBUILD


# Aggregate rows whose counts are all zero (everything they counted moved elsewhere) count nothing.
_EMPTY = {
    "agg_flows": lambda r: r["n"] == 0,
    "agg_stocks": lambda r: r["delta"] == 0,
    "agg_retention": lambda r: r["n"] == 0,
    "agg_hours": lambda r: r["facts"] == 0,
    "agg_durations": lambda r: not r["seconds"],
    "agg_active": lambda r: (r["n_any"], r["n_active"], r["n_nldoet"]) == (0, 0, 0),
    "agg_supply": lambda r: r["delta"] == 0,
    "agg_fill_durations": lambda r: not r["seconds"],
}


def _values(table: str, row: asyncpg.Record) -> dict[str, Any]:
    """What a row says: who gave hours in a bucket as the number suppression sees (the listed five depend on the
    order hours came in, and a surrogate is random); a bucket's durations as a multiset."""
    values = dict(row)
    if table == "agg_hours":
        listed = values.pop("persons")
        values.pop("person_facts")
        values["people"] = MIN_PEOPLE if values.pop("more") else len(listed)
    if table in ("agg_durations", "agg_fill_durations"):
        values["seconds"] = sorted(values["seconds"])
    return values


def _row(table: str, row: asyncpg.Record, surrogates: dict[Any, str]) -> tuple[tuple[str, str], ...]:
    """A row as sorted (column, repr) pairs, the person key of an erased volunteer replaced by its description."""
    return tuple(
        sorted(
            (column, repr(surrogates.get(value, value) if column == "person_key" else value))
            for column, value in _values(table, row).items()
        )
    )


async def _tables(conn: asyncpg.Connection) -> dict[str, list[tuple[tuple[str, str], ...]]]:
    surrogates = {
        row["person_key"]: f"erased:{row['centrale_id']}:{row['registered_at'].isoformat()}"
        for row in await conn.fetch(
            "SELECT person_key, centrale_id, registered_at FROM volunteer_facts WHERE erased_at IS NOT NULL"
        )
    }
    tables = {}
    for table in PROJECTION_TABLES:
        # The table names come from the projection's own list.
        rows = await conn.fetch(f"SELECT * FROM {table}")  # noqa: S608
        empty = _EMPTY.get(table, lambda _: False)
        tables[table] = sorted(_row(table, row, surrogates) for row in rows if not empty(row))
    return tables


async def snapshot(service: Reporting) -> dict[str, list[tuple[tuple[str, str], ...]]]:
    """Every projection table's rows (queued hours folded first); an erased volunteer's surrogate named by who."""
    await fold_hours(service.pool)
    async with service.pool.acquire() as conn:
        return await _tables(conn)


async def recomputed(service: Reporting) -> dict[str, list[tuple[tuple[str, str], ...]]]:
    """The same, with the aggregates as ``reporting_refill_aggregates`` computes them from the facts (rolled back)."""
    await fold_hours(service.pool)
    async with service.pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            await conn.execute("SELECT reporting_refill_aggregates()")
            return await _tables(conn)
        finally:
            await transaction.rollback()


async def figures(service: Reporting, period: str) -> dict[str, Any]:
    """Region and municipality figures without their generation time."""
    documents = {}
    for path in ("/v1/region/figures", "/v1/municipalities/GM0344/figures", "/v1/municipalities/GM0355/figures"):
        document = await service.json(path, period=period)
        document.pop("generated_at")
        documents[path] = document
    return documents


async def test_a_rebuild_while_events_keep_coming_equals_the_incremental_projection(
    scenario: Scenario, kafka_bootstrap: str, postgres_server_dsn: str
) -> None:
    # The scenario's service projected the events as they came (Y6's erasure a month after Y6's hours).
    incremental = scenario.reporting
    # A second service on the same events from the same start: the one that gets rebuilt. Its first
    # catch-up reads all topics at once, in no particular order across topics; the rebuild applies
    # them in the order they happened, as the incremental projection saw them.
    async with running_reporting(kafka_bootstrap, postgres_server_dsn, start=incremental.start_offsets) as twin:
        await twin.configure(scenario.region.centrales, scenario.region.districts, scenario.region.names)
        await twin.settle()

        # June events arrive while the rebuild runs: the live projection goes on writing meanwhile.
        world = World()
        organisation = world.organisation(scenario.region.a1, "3511", "2026-06-01", admitted="2026-06-02")
        task = world.task(scenario.region.a1, organisation, "zorg", "3511", "2026-06-03")
        volunteers = [world.volunteer(scenario.region.b1, "3701", "2026-06-04") for _ in range(6)]
        matches = [world.match(task, volunteer, at("2026-06-05")) for volunteer in volunteers]
        started = await twin.http.post("/v1/ops/rebuild", headers=twin.ops)
        assert started.status_code == 202, started.text
        await twin.publish(world.take())
        run = await twin.run_finished(started.headers["Location"])
        # After the switch-over the live projection writes into the new tables.
        for match in matches:
            world.hours(match, "2026-06-10", "2")
        await twin.feed(world)
        await incremental.settle()

        # The scenario's 128 projected events, plus those of the 15 June ones published before the switch-over
        # (the live projection applied the others to the new tables right after it).
        assert run["status"] == "done", run
        assert 128 <= run["counts"]["events_applied"] <= 143
        rebuilt = await snapshot(twin)
        assert sum(len(rows) for rows in rebuilt.values()) > 100
        assert rebuilt == await snapshot(incremental)
        aggregates = ("agg_flows", "agg_stocks", "agg_hours", "agg_active", "person_activity")
        assert all(rebuilt[table] for table in aggregates)
        # The aggregates the triggers kept, row by row, are what the facts give when computed from scratch.
        assert await snapshot(incremental) == await recomputed(incremental)
        for period in ("2026-Q1", "2026-H1"):
            assert await figures(twin, period) == await figures(incremental, period)
        june = await twin.json("/v1/region/figures", period="2026-06")
        assert {item["kpi"]: item["value"] for item in june["headline"]}["hours"] == 12
        async with twin.pool.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM projection_rebuilds") == 1
            schemas = await conn.fetch("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'reporting_%'")
            assert schemas == []  # the fresh and retired schemas are gone
        # The swapped-in tables move the read version too, or a cube kept from before would be served again.
        assert await tables_without_read_trigger(twin.pool) == []


async def test_figures_wait_for_a_switch_over_instead_of_deadlocking_with_it(scenario: Scenario) -> None:
    # Schemathesis (as region ops) found a 500: a rebuild moved the tables one by one while a figures read held
    # one and wanted the next (deadlock detected). Reads now hold the switch gate shared, so they wait.
    reporting = scenario.reporting
    switch = await asyncpg.connect(reporting.dsn)
    try:
        async with switch.transaction():
            await switch.execute("SELECT pg_advisory_xact_lock($1)", Lock.REPORTING_SWITCH_GATE)
            for path in ("/v1/region/figures", "/v1/region/programmes"):
                read = asyncio.create_task(reporting.http.get(path, params={"period": "2026"}, headers=reporting.ops))
                await asyncio.sleep(1.0)
                assert not read.done(), f"{path} read the projections during a switch-over"
                read.cancel()
        response = await reporting.http.get("/v1/region/figures", params={"period": "2026"}, headers=reporting.ops)
        assert response.status_code == 200, response.text
    finally:
        await switch.close()


async def test_a_second_rebuild_is_refused_while_one_runs(scenario: Scenario) -> None:
    connection = await asyncpg.connect(scenario.reporting.dsn)
    try:
        assert await connection.fetchval("SELECT pg_try_advisory_lock($1)", _REBUILD_LOCK)
        with pytest.raises(RebuildRunningError):
            await rebuild_projections(scenario.reporting.dsn, scenario.reporting.bootstrap)
        response = await scenario.reporting.http.post("/v1/ops/rebuild", headers=scenario.reporting.ops)
        assert response.status_code == 409
        assert response.json()["detail"] == "a rebuild of the reporting projections is already running"
    finally:
        await connection.close()


async def test_the_ops_tools_offline_replay_rebuilds_reporting_too(
    kafka_bootstrap: str, postgres_server_dsn: str
) -> None:
    # (July 2026: the scenario's service reads these events too, and its first quarter must not change.)
    # `python -m common.ops replay reporting` (stop the service, empty SPEC.replay_tables and the inbox, reset the
    # group to the start, start again) must empty exactly the projection tables and keep the configuration.
    world = World()
    centrale = world.centrale("r1")
    organisation = world.organisation(centrale, "3511", "2026-07-02", admitted="2026-07-03")
    task = world.task(centrale, organisation, "zorg", "3511", "2026-07-04")
    for day in range(5, 11):
        world.hours(world.match(task, world.volunteer(centrale, "3511", f"2026-07-{day:02d}"), at("2026-07-12")),
                    "2026-07-20", "2")  # fmt: skip
    async with running_reporting(kafka_bootstrap, postgres_server_dsn) as first:
        await first.configure(
            {centrale: ("GM0344", "Utrecht"), world.centrale("r2"): ("GM0355", "Zeist")},
            [("3511", "WK034401", "Binnenstad")],
        )
        await first.feed(world)
        before = await figures(first, "2026-07")
        rows = await snapshot(first)

    replayed = await replay_projection(
        kafka_bootstrap, dataclasses.replace(SPEC, name=first.group), first.dsn, wait_for_empty_s=60
    )
    assert set(replayed.truncated) == set(PROJECTION_TABLES)
    # The replay moved the group to the beginning of the shared test broker, which holds every test's events;
    # a region's broker begins with its own history, which is where this test's service began.
    await commit_offsets(kafka_bootstrap, first.group, first.start_offsets)
    async with running_reporting(kafka_bootstrap, postgres_server_dsn, again=first) as second:
        await second.settle()
        assert await snapshot(second) == rows
        assert await figures(second, "2026-07") == before


async def test_a_rebuild_asks_for_the_end_offsets_without_waiting_behind_its_readers_idle_fetch(
    scenario: Scenario, kafka_bootstrap: str, postgres_server_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A broker answers a connection's requests in order and holds a fetch with nothing new up to its max wait.
    # Asked on the reader's connection once it had caught up, the end offsets waited that long, twice (the last
    # time under the switch gate, where the live projections wait). Held far longer here, a rebuild that still
    # asked there would take over 30 s.
    monkeypatch.setattr(rebuild, "_READ_WAIT_MS", 15_000)
    monkeypatch.setattr(keyring, "_READ_WAIT_MS", 15_000)
    incremental = scenario.reporting
    async with running_reporting(kafka_bootstrap, postgres_server_dsn, start=incremental.start_offsets) as twin:
        await twin.configure(scenario.region.centrales, scenario.region.districts, scenario.region.names)
        await twin.settle()
        async with asyncio.timeout(20):
            result = await rebuild_projections(twin.dsn, twin.bootstrap, start_offsets=twin.start_offsets)
        assert result.events_applied >= 128  # the scenario's projected events, rebuilt
        assert await snapshot(twin) == await snapshot(incremental)
