"""A municipality's agreed figures as versioned definitions, period reports against them, and closing a period.

An agreement (which KPIs, targets, focus districts, for which period) is never edited: storing it again
makes a new version, and a report names the version it compared against. Closing a period stores its
report as it is at that moment; from then on that report is served as stored, and events recorded
after the closing that belong to its months are booked into the first month after it (``periods.book``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Literal

import asyncpg
from pydantic import BaseModel, Field, field_validator

from common.db import Connection
from common.errors import Conflict, NotFound, Rejected
from common.locks import KeyedLock, keyed_xact_lock
from reporting.configuration import hold_projections_off, rebook
from reporting.cube import Shown
from reporting.folding import fold_hours
from reporting.kpis import KPIS, kpi
from reporting.periods import Period, add_months
from reporting.queries import build_cube, load_config, snapshot_helper
from reporting.views import Figures, figures

__all__ = [
    "Agreement",
    "AgreementIn",
    "KpiTarget",
    "PeriodReport",
    "TargetResult",
    "close_period",
    "get_agreement",
    "list_agreements",
    "period_report",
    "store_agreement",
]

# KPIs an agreement may name: every figure with a single value for the municipality (not a breakdown).
_AGREEABLE = sorted(
    k.key for k in KPIS if k.headline and (k.category is None or k.category_additive or k.key == "volunteers_waiting")
)


class KpiTarget(BaseModel):
    """One agreed figure: a KPI, its target for the period, optionally for one district."""

    kpi: str = Field(description=f"One of: {', '.join(_AGREEABLE)}.", examples=["volunteers_active"])
    target: float = Field(ge=0, le=10_000_000, description="The agreed value for the whole period.")
    district: str | None = Field(
        None, pattern=r"^WK[0-9]{6}$", description="A CBS wijk of this municipality; empty for the whole municipality."
    )

    @field_validator("kpi")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in _AGREEABLE:
            raise ValueError(f"not a KPI that can be agreed; known: {', '.join(_AGREEABLE)}")
        return value


class AgreementIn(BaseModel):
    """What a municipality and its centrale agreed for a period."""

    model_config = {"extra": "forbid"}

    title: str = Field(min_length=1, max_length=200, examples=["Subsidieafspraak Vrijwilligerscentrale Utrecht 2026"])
    kpis: list[KpiTarget] = Field(min_length=1, max_length=50)
    districts: list[str] = Field(
        default_factory=list, max_length=100, description="Focus districts (CBS wijk codes) the report lists first."
    )

    @field_validator("districts")
    @classmethod
    def _wijk_codes(cls, value: list[str]) -> list[str]:
        bad = [code for code in value if not (len(code) == 8 and code.startswith("WK") and code[2:].isdigit())]
        if bad:
            raise ValueError(f"{len(bad)} of the districts are not CBS wijk codes like WK034401")
        return value


class Agreement(AgreementIn):
    """A stored version of an agreement."""

    model_config = {"extra": "ignore"}

    municipality_code: str
    period: str
    version: int
    created_by: str
    created_at: datetime


class TargetResult(BaseModel):
    """An agreed figure next to the actual one."""

    kpi: str
    label: str
    unit: str
    district: str | None
    district_name: str | None
    target: float
    direction: Literal["at_least", "at_most"]
    actual: Shown
    met: bool | None = Field(description="Null when the actual value is hidden (<5, x) or there is none.")


class PeriodReport(BaseModel):
    """A municipality's report for a period: targets against actuals, and all its figures."""

    municipality_code: str
    municipality_name: str
    status: Literal["provisional", "closed"]
    closed_at: datetime | None = None
    closed_by: str | None = None
    agreement: Agreement | None
    targets: list[TargetResult]
    figures: Figures


async def store_agreement(conn: Connection, code: str, period: Period, body: AgreementIn, created_by: str) -> Agreement:
    """Store the agreement as the next version for (municipality, period)."""
    districts = await _districts(conn, code)
    for index, target in enumerate(body.kpis):
        if target.district is not None and target.district not in districts:
            raise Rejected([f"not a wijk of {code}"], field=("kpis", index, "district"))
    for index, district in enumerate(body.districts):
        if district not in districts:
            raise Rejected([f"not a wijk of {code}"], field=("districts", index))
    async with conn.transaction():
        # Serialise versions of one agreement: two concurrent stores get consecutive numbers.
        await keyed_xact_lock(conn, KeyedLock.AGREEMENT, f"{code}:{period.label}")
        version = await conn.fetchval(
            "SELECT coalesce(max(version), 0) + 1 FROM agreements WHERE municipality_code = $1 AND period = $2",
            code,
            period.label,
        )
        row = await conn.fetchrow(
            "INSERT INTO agreements (municipality_code, period, version, definition, created_by)"
            " VALUES ($1, $2, $3, $4::jsonb, $5) RETURNING created_at",
            code, period.label, version, body.model_dump_json(), created_by,
        )  # fmt: skip
    assert row is not None
    return Agreement(
        **body.model_dump(), municipality_code=code, period=period.label, version=version, created_by=created_by,
        created_at=row["created_at"],
    )  # fmt: skip


def _agreement(row: asyncpg.Record) -> Agreement:
    return Agreement(
        **AgreementIn.model_validate_json(row["definition"]).model_dump(),
        municipality_code=row["municipality_code"], period=row["period"], version=row["version"],
        created_by=row["created_by"], created_at=row["created_at"],
    )  # fmt: skip


async def get_agreement(conn: Connection, code: str, period: Period, version: int | None = None) -> Agreement | None:
    """The given version of the agreement, or the latest; None when there is none."""
    row = await conn.fetchrow(
        "SELECT * FROM agreements WHERE municipality_code = $1 AND period = $2 AND ($3::int IS NULL OR version = $3)"
        " ORDER BY version DESC LIMIT 1",
        code,
        period.label,
        version,
    )
    return _agreement(row) if row else None


async def list_agreements(conn: Connection, code: str) -> list[Agreement]:
    """Every version of every agreement of the municipality, newest first per period."""
    rows = await conn.fetch("SELECT * FROM agreements WHERE municipality_code = $1 ORDER BY period, version DESC", code)
    return [_agreement(row) for row in rows]


async def _districts(conn: Connection, code: str) -> dict[str, str]:
    rows = await conn.fetch(
        "SELECT DISTINCT district_code, district_name FROM districts WHERE substr(district_code, 3, 4) = $1",
        code[2:],
    )
    return {row["district_code"]: row["district_name"] for row in rows}


def _met(actual: Shown, target: float, lower_is_better: bool) -> bool | None:
    if not isinstance(actual, int | float):
        return None
    return actual <= target if lower_is_better else actual >= target


async def _compute(conn: Connection, code: str, period: Period, *helpers: Connection) -> PeriodReport:
    """The report as the projection has it now (inside a repeatable-read transaction; helpers in its snapshot)."""
    config = await load_config(conn)
    name = config.municipality_name(code)
    if name is None:
        raise NotFound(f"no centrale is linked to municipality {code}")
    cube = await build_cube(conn, period, *helpers)
    scope = f"m:{code}"
    agreement = await get_agreement(conn, code, period)
    districts = dict(cube.scopes[scope].districts)
    targets = []
    for target in agreement.kpis if agreement else []:
        definition = kpi(target.kpi)
        actual = cube.shown((target.kpi, scope, None, target.district, None))
        targets.append(TargetResult(
            kpi=target.kpi, label=definition.label, unit=definition.unit, district=target.district,
            district_name=districts.get(target.district) if target.district else None, target=target.target,
            direction="at_most" if definition.lower_is_better else "at_least", actual=actual,
            met=_met(actual, target.target, definition.lower_is_better),
        ))  # fmt: skip
    return PeriodReport(
        municipality_code=code, municipality_name=name, status="provisional", agreement=agreement, targets=targets,
        figures=figures(cube, scope),
    )  # fmt: skip


async def period_report(pool: asyncpg.Pool, code: str, period: Period) -> PeriodReport:
    """The closed report as it was stored, or the provisional one computed now."""
    await fold_hours(pool)
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        stored = await conn.fetchval(
            "SELECT report FROM period_closures WHERE municipality_code = $1 AND period = $2", code, period.label
        )
        if stored is not None:
            return PeriodReport.model_validate_json(stored)
        async with snapshot_helper(pool, conn) as helpers:
            return await _compute(conn, code, period, *helpers)


async def close_period(
    pool: asyncpg.Pool,
    code: str,
    period: Period,
    closed_by: str,
    caught_up: Callable[[], Awaitable[None]],
) -> PeriodReport:
    """Freeze the period's report; ``caught_up`` waits until the projection applied everything published so far.

    Raises Conflict when the period is not over, is already closed, lies inside closed months, or would
    leave open months between it and the last closed one; TimeoutError when the projection lags.
    """
    async with pool.acquire() as conn:
        now_local = await conn.fetchval("SELECT now() AT TIME ZONE 'Europe/Amsterdam'")
        if period.end > now_local:
            raise Conflict(f"{period.label} is not over yet: it can be closed from {period.end:%Y-%m-%d} on")
        rows = await conn.fetch(
            "SELECT period, first_month, last_month FROM period_closures WHERE municipality_code = $1", code
        )
        if any(row["period"] == period.label for row in rows):
            raise Conflict(f"{period.label} is closed already")
        horizon = max((row["last_month"] for row in rows), default=None)
        if horizon is not None and period.last_month <= horizon:
            raise Conflict(f"the months of {period.label} were closed already (up to {horizon:%Y-%m})")
        if horizon is not None and period.first_month > add_months(horizon, 1):
            raise Conflict(f"close the months from {add_months(horizon, 1):%Y-%m} first: closed periods must join up")
    # From this moment on, events recorded are late for this period; everything recorded before it must be
    # applied before the report is taken, hence the wait for the consumer to reach the topics' ends.
    closed_at = datetime.now(UTC)
    await caught_up()
    await fold_hours(pool)
    async with pool.acquire() as conn, conn.transaction():
        # Nothing is projected while the period closes: the closure, the facts recorded after its moment
        # (booked after it now) and the stored report agree.
        await hold_projections_off(conn)
        inserted = await conn.fetchval(
            "INSERT INTO period_closures (municipality_code, period, first_month, last_month, closed_at, closed_by,"
            " report) VALUES ($1, $2, $3, $4, $5, $6, '{}') ON CONFLICT DO NOTHING RETURNING true",
            code, period.label, period.first_month, period.last_month, closed_at, closed_by,
        )  # fmt: skip
        if not inserted:
            raise Conflict(f"{period.label} is closed already")
        centrales = [c for c, (municipality, _) in (await load_config(conn)).centrales.items() if municipality == code]
        await rebook(conn, centrales=centrales, since=closed_at)
        await conn.fetchval("SELECT reporting_fold_hours($1, $2)", 2**31 - 1, int(KeyedLock.REPORTING_ENTITY))
        report = await _compute(conn, code, period)
        report = report.model_copy(update={"status": "closed", "closed_at": closed_at, "closed_by": closed_by})
        await conn.execute(
            "UPDATE period_closures SET report = $3::jsonb, agreement_version = $4"
            " WHERE municipality_code = $1 AND period = $2",
            code, period.label, report.model_dump_json(), report.agreement.version if report.agreement else None,
        )  # fmt: skip
    return report
