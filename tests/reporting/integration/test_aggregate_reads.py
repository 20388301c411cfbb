"""Issue 20: reads from the aggregates give today's figures, cell by cell, for JSON, CSV and charts.

A region from the benchmark's generator at a small scale (registrations, an NLdoet weekend, a normal month
with profile updates and erasures) goes through a reporting service on real Kafka and PostgreSQL; every
cell, every hidden cell and every scope's outputs are compared with the figures reporting computed from
all facts before the aggregates (``tests/reporting/reference_cube.py``). The known scenario gets the same
comparison in ``test_scenario_reads.py``.

The generated region lives in 2027-2029, so the package's scenario service (which may start later and
read these events too) keeps its 2025-2026 figures.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date

import asyncpg
import pytest

from bench.generator import GeneratedEvent, generate_region, nldoet_weekend, normal_month, region_registrations
from reporting.api._plumbing import projection_snapshot
from reporting.cells import _HOURS_CENTRALES, _HOURS_MUNICIPALITIES, _fetch_all, _placed
from reporting.folding import fold_hours
from reporting.kpis import MIN_PEOPLE
from reporting.periods import Period
from reporting.queries import build_cube, snapshot_helper
from tests.reporting.integration.conftest import Reporting, running_reporting
from tests.reporting.integration.todays_figures import both_cubes, differences

pytestmark = pytest.mark.integration

NLDOET = date(2029, 3, 9)


@dataclass
class Generated:
    """The generated region, applied by a reporting service of its own."""

    service: Reporting
    events: int


async def _publish(service: Reporting, events: list[GeneratedEvent]) -> None:
    futures = []
    for generated in events:
        record = generated.record()
        futures.append(await service.producer.send(record.topic, value=record.value, key=record.key,
                                                   headers=record.headers))  # fmt: skip
    for future in futures:
        await future


@pytest.fixture(scope="module")
async def generated(kafka_bootstrap: str, postgres_server_dsn: str) -> AsyncIterator[Generated]:
    region = generate_region(seed=42, volunteers=1_500)
    events = [
        *region_registrations(region, before=date(2029, 1, 1)),
        *nldoet_weekend(region, friday=NLDOET, hours_events=1_500),
        *normal_month(region, year=2029, month=5),
    ]
    events.sort(key=lambda generated: generated.time)
    async with running_reporting(kafka_bootstrap, postgres_server_dsn) as service:
        names = {spec.code: spec.name for spec in region.municipalities}
        for centrale in region.centrales:
            code = centrale.municipality_codes[0]  # a centrale works for one municipality in reporting
            body = {"municipality_code": code, "municipality_name": names[code], "centrale_name": centrale.name}
            response = await service.http.put(f"/v1/ops/centrales/{centrale.id}", json=body, headers=service.ops)
            assert response.status_code == 200, response.text
        rows = [{"postcode_area": area, "district_code": district.code, "district_name": district.name}
                for district in region.districts for area in district.postcode_areas]  # fmt: skip
        response = await service.http.put("/v1/ops/districts", json={"districts": rows}, headers=service.ops)
        assert response.status_code == 200, response.text
        days = [NLDOET.isoformat(), date(2029, 3, 10).isoformat()]
        response = await service.http.put("/v1/ops/nldoet-days", json={"days": days}, headers=service.ops)
        assert response.status_code == 200, response.text
        await _publish(service, events)
        await service.settle(timeout=180)
        yield Generated(service, len(events))


@pytest.mark.parametrize(
    "label",
    ["2029", "2029-03", "2029-05", "2029-Q1", "2029-H1", "2028", "2029-02..2029-05", "2028-11..2029-03"],
)
async def test_the_aggregates_give_todays_figures_for_a_generated_region(generated: Generated, label: str) -> None:
    new, old = await both_cubes(generated.service, Period.parse(label))

    assert differences(new, old) == {}
    # The region is not a trivial one: hidden cells, several municipalities, NLdoet and waiting figures.
    assert generated.events > 5_000
    assert len(new.cells) > 300
    assert sum(1 for key in new.cells if key[1].startswith("m:")) > 100
    if label in ("2029", "2029-03", "2029-Q1"):
        assert new.shown(("nldoet_volunteers", "region", None, None, None)) not in (0, None)
        assert new.hidden


# The hours cells as reporting read them before migration 0071: every bucket's people joined with
# reporting_concat (quadratic in the buckets of a cell) and counted distinct.
_HOURS_BEFORE = _placed("""
    WITH rows AS (
        SELECT kpi, month, centrale_id, centrale2, area, theme, amount, persons, more
        FROM agg_hours WHERE month BETWEEN $1 AND $2 AND facts > 0
    ){placed}
    SELECT f.kpi, f.month, f.scope, f.district, f.theme, sum(f.amount) AS amount,
           CASE WHEN bool_or(f.more) THEN $3
                ELSE (SELECT least(count(DISTINCT p), $3) FROM unnest(reporting_concat(f.persons)) AS p) END AS people,
           GROUPING(f.month) = 0 AS by_month, GROUPING(f.district) = 0 AS by_district,
           GROUPING(f.theme) = 0 AS by_theme
    FROM placed f
    GROUP BY GROUPING SETS ((f.kpi, f.month, f.scope), (f.kpi, f.scope), (f.kpi, f.scope, f.theme),
                            (f.kpi, f.scope, f.district), (f.kpi, f.scope, f.district, f.theme))
""")


@pytest.mark.parametrize("label", ["2029", "2029-03", "2029-Q1", "2028-11..2029-03"])
async def test_hours_cells_and_their_people_are_the_ones_read_before(generated: Generated, label: str) -> None:
    """The hours queries (people merged at most five at a time; region and centrales apart from municipalities)
    return exactly the rows of the one they replaced, together."""
    period = Period.parse(label)
    await fold_hours(generated.service.pool)
    async with generated.service.pool.acquire() as conn:
        arguments = (period.first_month, period.last_month, MIN_PEOPLE)
        centrales = await conn.fetch(_HOURS_CENTRALES, *arguments)
        municipalities = await conn.fetch(_HOURS_MUNICIPALITIES, *arguments)
        new = Counter(tuple(row) for row in [*centrales, *municipalities])
        old = Counter(tuple(row) for row in await conn.fetch(_HOURS_BEFORE, *arguments))

    assert new == old
    people = [row[6] for row in new]
    # Cells of every kind: few people (what suppression hides), at least five, several wijken and themes.
    assert any(0 < count < MIN_PEOPLE for count in people)
    assert any(count == MIN_PEOPLE for count in people)
    assert len(new) > 100
    # Each statement gives its own kind of scope, so together they give each cell once.
    assert {row["scope"].startswith("m:") for row in municipalities} == {True}
    assert not any(row["scope"].startswith("m:") for row in centrales)


async def test_few_people_counts_distinct_people_up_to_the_cap(generated: Generated) -> None:
    """reporting_few_people: distinct across buckets, duplicates once, stops at the cap, empty gives none."""
    a, b, c, d, e, f = (f"00000000-0000-0000-0000-00000000000{n}" for n in range(1, 7))
    cases = [
        ([[a, b], [b, a], [a]], 2),
        ([[a], [b, c], [c, d], [d]], 4),
        ([[a, b, c], [d, e, f]], 5),
        ([[], []], 0),
    ]
    async with generated.service.pool.acquire() as conn:
        for buckets, expected in cases:
            people = await conn.fetchval(
                "SELECT least(cardinality(reporting_few_people(b::uuid[], 5)), 5) FROM unnest($1::text[]) AS t(b)",
                ["{" + ",".join(bucket) + "}" for bucket in buckets],
            )
            assert people == expected, buckets


@pytest.mark.parametrize("label", ["2029", "2029-Q1", "2028-11..2029-03"])
async def test_a_read_over_two_connections_gives_the_cube_of_one(generated: Generated, label: str) -> None:
    """The read's statements spread over a second connection in the same snapshot: the same cells, hidden alike."""
    period = Period.parse(label)
    pool = generated.service.pool
    await fold_hours(pool)
    async with projection_snapshot(pool) as conn:
        alone = await build_cube(conn, period)
        async with snapshot_helper(pool, conn) as helpers:
            assert len(helpers) == 1
            shared = await build_cube(conn, period, *helpers)

    assert shared.cells == alone.cells
    assert shared.hidden == alone.hidden
    assert differences(shared, alone) == {}
    assert shared.hidden


async def test_the_second_connection_reads_the_snapshot_of_the_first(generated: Generated) -> None:
    """What commits after the read's snapshot was taken is invisible to the helper too (one consistent read)."""
    pool = generated.service.pool
    read = "SELECT array_agg(n ORDER BY n) FROM snapshot_probe"
    await pool.execute("CREATE TABLE snapshot_probe (n integer)")
    try:
        await pool.execute("INSERT INTO snapshot_probe VALUES (1)")
        async with projection_snapshot(pool) as conn, snapshot_helper(pool, conn) as helpers:
            await pool.execute("INSERT INTO snapshot_probe VALUES (2)")  # after the snapshot, from a third connection
            (helper,) = helpers
            seen, mine = await helper.fetchval(read), await conn.fetchval(read)
        assert seen == mine == [1]
        assert await pool.fetchval(read) == [1, 2]
    finally:
        await pool.execute("DROP TABLE snapshot_probe")


async def test_a_failed_statement_leaves_no_statement_of_the_read_running(postgres_server_dsn: str) -> None:
    """When one connection's statement fails, the other's is stopped before the read gives up its connections."""
    slow, failing = await asyncpg.connect(postgres_server_dsn), await asyncpg.connect(postgres_server_dsn)
    try:
        statements = {"slow": ("SELECT pg_sleep(5)", ()), "failing": ("SELECT 1 / 0", ())}
        with pytest.raises(asyncpg.DivisionByZeroError):
            await _fetch_all([slow, failing], statements)

        assert await slow.fetchval("SELECT 1") == 1  # free again: a read's connection goes back to the pool
    finally:
        await slow.close()
        await failing.close()
