"""HTTP plumbing of reporting: who may read which scope, the period parameter, errors as 4xx, file responses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated
from uuid import UUID

import asyncpg
from fastapi import Depends, HTTPException, Path, Query, Request, Response, status
from fastapi.exceptions import RequestValidationError

from common.auth import Caller, Role, require_role, require_subject
from common.db import Connection
from common.errors import Conflict
from common.locks import Lock
from common.ops.groups import end_offsets, wait_until_caught_up
from common.service import get_runtime
from reporting.cells import dutch_now, figures_change_by_time_at
from reporting.configuration import municipality_of
from reporting.cube import Cube
from reporting.folding import fold_hours
from reporting.periods import Period, PeriodError
from reporting.queries import build_cube, snapshot_helper
from reporting.read_cache import CubeCache

__all__ = [
    "CentraleId",
    "ChartName",
    "Cubes",
    "CubesDep",
    "MunicipalityCode",
    "PeriodQuery",
    "caught_up",
    "csv_response",
    "parse_period",
    "require_centrale",
    "require_municipality",
    "require_partner",
    "svg_response",
]

# How long closing a period waits for the projection to apply everything published before it.
_CATCH_UP_TIMEOUT_S = 15.0

MunicipalityCode = Annotated[
    str, Path(pattern=r"^GM[0-9]{4}$", description="CBS municipality code.", examples=["GM0344"])
]
CentraleId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$", examples=["vc-utrecht"])]
ChartName = Annotated[
    str, Path(pattern=r"^(trends|hours-by-theme|gaps-by-district|supply-demand|top-gaps)$", examples=["trends"])
]


def parse_period(label: str, where: str = "query") -> Period:
    """The period named ``label``, or a field-level 422."""
    try:
        return Period.parse(label)
    except PeriodError as error:
        raise RequestValidationError([{"loc": (where, "period"), "msg": str(error), "type": "value_error"}]) from None


def _period_query(
    period: Annotated[
        str, Query(description="2026, 2026-Q1, 2026-H1, 2026-03 or 2026-01..2026-06", examples=["2026-Q1"])
    ],
) -> Period:
    return parse_period(period)


PeriodQuery = Annotated[Period, Depends(_period_query)]


@asynccontextmanager
async def projection_snapshot(pool: asyncpg.Pool) -> AsyncIterator[Connection]:
    """A read-only snapshot of the projections that waits out a rebuild's switch-over.

    The switch moves the projection tables one by one under the exclusive switch gate; a read that holds one
    table and wants another deadlocked with it (a 500 schemathesis found as region ops), so reads hold the
    gate shared, as the projections' writers do.
    """
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        await conn.execute("SELECT pg_advisory_xact_lock_shared($1)", Lock.REPORTING_SWITCH_GATE)
        yield conn


class Cubes:
    """The period cubes of the service's database: built in one snapshot, or reused (``reporting.read_cache``)."""

    def __init__(self, pool: asyncpg.Pool, cache: CubeCache) -> None:
        self._pool = pool
        self._cache = cache

    async def of(self, period: Period) -> Cube:
        """The period's cube, read in one consistent snapshot (queued hours folded in first), on two connections.

        The version and the moment come from the same snapshot as the cube: a kept cube of that version, still
        valid at that moment, is the cube this snapshot would build.
        """
        await fold_hours(self._pool)
        async with projection_snapshot(self._pool) as conn:
            version: int = await conn.fetchval("SELECT version FROM read_version")
            now = await dutch_now(conn)
            cube = self._cache.get(period, version, now)
            if cube is not None:
                return cube
            async with self._cache.turn(period, version):
                # A read of the same version that built while this one waited has kept its cube.
                cube = self._cache.get(period, version, now)
                if cube is None:
                    async with snapshot_helper(self._pool, conn) as helpers:
                        cube = await build_cube(conn, period, *helpers, now=now)
                    self._cache.put(period, version, await figures_change_by_time_at(conn, period, now), cube)
            return cube


def get_cubes(request: Request) -> Cubes:
    """FastAPI dependency: the cubes of the service's database, with the app's cache (made at the first read)."""
    pool = get_runtime(request).pool
    assert pool is not None, "pool is opened in the lifespan before requests are served"
    state = request.app.state
    if not hasattr(state, "cube_cache"):
        state.cube_cache = CubeCache()
    return Cubes(pool, state.cube_cache)


CubesDep = Annotated[Cubes, Depends(get_cubes)]


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, "not found")


async def require_municipality(caller: Caller, pool: asyncpg.Pool, code: str, *, manage: bool = False) -> None:
    """Region ops: any municipality. Staff and (to read) municipality readers: only their centrale's municipality."""
    if caller.role is Role.REGION_OPS:
        return
    require_role(caller, Role.CENTRALE_STAFF, *(() if manage else (Role.MUNICIPALITY_READER,)))
    if await municipality_of(pool, caller.centrale_id) != code:
        raise _not_found()


async def require_centrale(caller: Caller, pool: asyncpg.Pool, centrale_id: str) -> None:
    """Region ops: any centrale. Staff: their own. Municipality readers: every centrale of their municipality."""
    if caller.role is Role.REGION_OPS:
        return
    require_role(caller, Role.CENTRALE_STAFF, Role.MUNICIPALITY_READER)
    if caller.centrale_id == centrale_id:
        return
    if caller.role is Role.MUNICIPALITY_READER:
        own = await municipality_of(pool, caller.centrale_id)
        if own is not None and own == await municipality_of(pool, centrale_id):
            return
    raise _not_found()


def require_partner(caller: Caller, partner_id: UUID) -> None:
    """Region ops: any partner. A business partner's HR credential: only its own partner."""
    if caller.role is not Role.REGION_OPS:
        require_subject(caller, None, partner_id, Role.BUSINESS_PARTNER)


def caught_up(request: Request) -> Callable[[], Awaitable[None]]:
    """A wait until this service's consumer group has committed the current end of every topic it reads."""
    runtime = get_runtime(request)

    async def wait() -> None:
        assert runtime.consumer is not None
        kafka = runtime.settings
        ends = await end_offsets(kafka, runtime.consumer.topics)
        try:
            await wait_until_caught_up(kafka, runtime.spec.name, ends, timeout=_CATCH_UP_TIMEOUT_S)
        except TimeoutError as error:
            raise Conflict("reporting is still applying recent events; try again in a moment") from error

    return wait


def csv_response(content: str, filename: str) -> Response:
    """A CSV download."""
    return Response(
        content.encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def svg_response(content: str) -> Response:
    """An SVG image."""
    return Response(content.encode(), media_type="image/svg+xml")
