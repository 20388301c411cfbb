"""Reporting reads: one municipality's figures for a year over HTTP, with the consumers idle, as the facts grow.

Per region size, the reporting service runs as a process on a fresh database, configured as region ops
configure it (which municipality each centrale works for, PC4 → wijk, the NLdoet days), and is fed the
region's registrations, a normal month and the NLdoet weekend, plus a municipality reader's credential.
Once its group has committed all of it (nothing left to consume) and its background fold has put the
queued hours into the aggregates (deferred while its consumer catches up), the reader asks for the
municipality's figures of the year as JSON, as CSV and as a chart, in turn, one request at a time; each request is
timed from sending to the last byte of the answer. The first request of each kind is left out (warm-up:
connections, caches, a first query plan), unless it alone took a third of the time budget: then warm-up
effects are noise and the first answers are the measurement (a slow read side is not asked for minutes).
With nothing changing, the service serves these from its cube cache (``reporting.read_cache``); so the same
rounds are run again with the read version moved before each request, as any event moves it, and each of
those reads builds the cube: the cost of the first read after a change (``built_ms``).

Flat as the facts grow: the same reads on a region five times larger (more volunteers, organisations,
tasks and matches, so more facts of every kind), compared by the p95 of each kind.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import secrets
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.generator import GeneratedEvent, Region, nldoet_weekend, normal_month, region_registrations
from bench.harness import LatencySummary, summarize
from bench.services import BenchService, GroupWatcher, consumed_topics, log_summary, until_folded
from bench.streams import produce
from common.auth import hash_token
from common.localinfra import create_database, drop_database
from common.ops import end_offsets, reset_offsets
from contracts import EventEnvelope
from contracts.events import CredentialIssued

__all__ = ["KINDS", "ReadsAtSize", "reads_at_size", "reads_paths"]

SERVICE = "reporting"
YEAR = "2026"
NLDOET_FRIDAY = date(2026, 3, 13)
# JSON, CSV and a chart of the same figures: what a municipality's policy officer downloads.
KINDS = ("json", "csv", "chart")
_READY_TIMEOUT_S = 120.0
_GROUP_EMPTY_WAIT_S = 60.0
_SLOWEST_RATE = 50.0
_MIN_WAIT_S = 120.0
_MIN_ROUNDS = 3


def reads_paths(municipality: str) -> dict[str, str]:
    """The three requests, per kind."""
    base = f"/v1/municipalities/{municipality}"
    return {
        "json": f"{base}/figures?period={YEAR}",
        "csv": f"{base}/figures.csv?period={YEAR}",
        "chart": f"{base}/charts/trends.svg?period={YEAR}",
    }


@dataclass
class ReadsAtSize:
    """The reads on one region size."""

    volunteers: int
    municipality: str
    events: int = 0
    load_s: float = 0.0
    folded_s: float = 0.0
    first_ms: dict[str, float] = field(default_factory=dict)
    timings_ms: dict[str, list[float]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    # The same requests, each right after the read version moved (as after any event): the cube is built.
    built_ms: dict[str, list[float]] = field(default_factory=lambda: {kind: [] for kind in KINDS})
    log: dict[str, Any] = field(default_factory=dict)

    def summary(self, kind: str, *, built: bool = False) -> LatencySummary:
        """p50/p95/p99/max of one kind (``built``: of the reads that built their cube)."""
        return summarize((self.built_ms if built else self.timings_ms)[kind])

    def worst_p95_ms(self, *, built: bool = False) -> float:
        """The highest p95 of the kinds."""
        return max(self.summary(kind, built=built).p95 for kind in KINDS)

    def text(self, *, built: bool = False) -> str:
        """``json p95 123 ms, csv ..., chart ...``."""
        return ", ".join(f"{kind} p95 {self.summary(kind, built=built).p95:,.0f} ms" for kind in KINDS)

    def as_dict(self) -> dict[str, Any]:
        """Plain values for the JSON result."""
        return {
            "volunteers": self.volunteers,
            "municipality": self.municipality,
            "events": self.events,
            "load_s": self.load_s,
            "folded_s": self.folded_s,
            "first_ms": self.first_ms,
            "ms": {kind: self.summary(kind).as_dict() for kind in KINDS if self.timings_ms[kind]},
            "built_ms": {kind: self.summary(kind, built=True).as_dict() for kind in KINDS if self.built_ms[kind]},
            "log": self.log,
        }


def _events(region: Region, nldoet_hours: int) -> Iterator[GeneratedEvent]:
    """The region's history for the year's figures: registrations (before the year), NLdoet (March), May."""
    yield from region_registrations(region)
    yield from nldoet_weekend(region, friday=NLDOET_FRIDAY, hours_events=nldoet_hours)
    yield from normal_month(region)


def _reader_credential(region: Region, centrale_id: str, token: str) -> GeneratedEvent:
    """A municipality reader's credential as the registry publishes it (reporting learns tokens from events)."""
    issued = datetime(2026, 1, 1, tzinfo=UTC)
    event = CredentialIssued(
        credential_id=uuid.uuid4(),
        token_hash=hash_token(token),
        role="municipality_reader",
        centrale_id=centrale_id,
        issued_at=issued,
    )
    envelope = EventEnvelope(
        source=f"/regions/{region.name}/registry",
        type=CredentialIssued.event_type,
        subject=str(event.credential_id),
        tenant=centrale_id,
        region=region.name,
        time=issued,
    )
    return GeneratedEvent(event, envelope)


async def _configure(service: BenchService, region: Region) -> None:
    """What region ops load into reporting: centrale → municipality, PC4 → wijk, the NLdoet days."""
    names = {spec.code: spec.name for spec in region.municipalities}
    async with httpx.AsyncClient(base_url=service.process.url, headers=service.ops_headers, timeout=60) as http:
        for centrale in region.centrales:
            code = centrale.municipality_codes[0]  # the API links a centrale to one municipality: its first
            body = {"municipality_code": code, "municipality_name": names[code], "centrale_name": centrale.name}
            (await http.put(f"/v1/ops/centrales/{centrale.id}", json=body)).raise_for_status()
        rows = [
            {"postcode_area": area, "district_code": district.code, "district_name": district.name}
            for district in region.districts
            for area in district.postcode_areas
        ]
        (await http.put("/v1/ops/districts", json={"districts": rows})).raise_for_status()
        days = [NLDOET_FRIDAY.isoformat(), (NLDOET_FRIDAY + timedelta(days=1)).isoformat()]
        (await http.put("/v1/ops/nldoet-days", json={"days": days})).raise_for_status()


async def reads_at_size(
    *,
    bootstrap: str,
    server_dsn: str,
    region: Region,
    nldoet_hours: int,
    database: str,
    budget_s: float,
    max_rounds: int,
    say: Callable[[str], None],
) -> ReadsAtSize:
    """Load ``region`` into a reporting process, wait until it is idle, then time the municipality's reads."""
    municipality = region.municipalities[0]
    result = ReadsAtSize(len(region.volunteers), municipality.code)
    token = f"rp_{secrets.token_urlsafe(24)}"
    dsn = await create_database(server_dsn, database)
    with tempfile.TemporaryDirectory(prefix="regio-bench-reads-") as logs:
        service = BenchService.create(
            SERVICE, database_dsn=dsn, bootstrap=bootstrap, region=region.name, log_path=Path(logs) / "reporting.log"
        )
        try:
            topics = consumed_topics(SERVICE)
            await reset_offsets(bootstrap, service.group, topics, to="latest", wait_for_empty_s=_GROUP_EMPTY_WAIT_S)
            service.start()
            await service.wait_ready(_READY_TIMEOUT_S)
            await _configure(service, region)
            credential = _reader_credential(region, municipality.centrale_id, token)
            started = time.perf_counter()
            history = itertools.chain([credential], _events(region, nldoet_hours))
            result.events = await produce(bootstrap, (generated.record() for generated in history))
            ends = await end_offsets(bootstrap, topics)
            async with GroupWatcher.connect(bootstrap) as watcher:
                wait_s = max(_MIN_WAIT_S, result.events / _SLOWEST_RATE)
                await watcher.wait_for(service.group, ends, timeout=wait_s, alive=service)
            result.load_s = time.perf_counter() - started
            await until_folded(dsn, timeout=wait_s)
            result.folded_s = time.perf_counter() - started
            say(
                f"  {result.volunteers:,} volunteers: {result.events:,} events produced and consumed in "
                f"{result.load_s:.0f} s, folded at {result.folded_s:.0f} s; "
                f"reading {municipality.code}'s figures for {YEAR}"
            )
            await _time_reads(service, reads_paths(municipality.code), token, result, budget_s, max_rounds, dsn)
            rounds = len(result.timings_ms["json"])
            say(f"  {result.text()} ({rounds} round{'s' if rounds != 1 else ''}); built: {result.text(built=True)}")
        finally:
            await service.stop()
            result.log = log_summary(service.process.log_path)
            with contextlib.suppress(Exception):  # never mask the scenario's own error
                await drop_database(server_dsn, database)
    return result


async def _time_reads(
    service: BenchService,
    paths: dict[str, str],
    token: str,
    result: ReadsAtSize,
    budget_s: float,
    max_rounds: int,
    dsn: str,
) -> None:
    """Each kind in turn until the budget or the rounds are used up (three rounds at least; see the module).

    Then as many rounds again, each request right after the read version moved (``dsn``: the service's
    database), as the first read after an event: the cube is built, not served from the service's cache.
    """
    reader = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=service.process.url, headers=reader, timeout=300) as http:
        await _time_rounds(http, paths, result, budget_s, max_rounds)
        connection = await asyncpg.connect(dsn)
        try:

            async def changed() -> None:
                await connection.execute("UPDATE read_version SET version = version + 1")

            await _time_rounds(http, paths, result, budget_s, max_rounds, before_each=changed)
        finally:
            await connection.close()


async def _time_rounds(
    http: httpx.AsyncClient,
    paths: dict[str, str],
    result: ReadsAtSize,
    budget_s: float,
    max_rounds: int,
    before_each: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """One series: into ``result.timings_ms``, or with ``before_each`` (the version moved) into ``built_ms``."""
    timings = result.timings_ms if before_each is None else result.built_ms

    async def timed(kind: str) -> float:
        if before_each is not None:
            await before_each()
        started = time.perf_counter()
        response = await http.get(paths[kind])
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"GET {paths[kind]}: {response.status_code} {response.text[:300]}")
        if kind == "json":
            _check_figures(response.json(), result.municipality)
        return elapsed

    first = {kind: await timed(kind) for kind in KINDS}
    if before_each is None:
        result.first_ms = first
    if max(first.values()) * 3 >= budget_s * 1000:
        for kind in KINDS:
            timings[kind].append(first[kind])
        return
    started, rounds = time.perf_counter(), 0
    least = min(_MIN_ROUNDS, max_rounds)
    while rounds < max_rounds and (rounds < least or time.perf_counter() - started < budget_s):
        for kind in KINDS:
            timings[kind].append(await timed(kind))
        rounds += 1
        await asyncio.sleep(0)


def _check_figures(figures: dict[str, Any], municipality: str) -> None:
    """The answer is the municipality's, with its hours counted: the facts are there and linked to it."""
    scope = figures.get("scope", {})
    hours = next((item["value"] for item in figures.get("headline", []) if item.get("kpi") == "hours"), None)
    if scope.get("id") != municipality or not isinstance(hours, int | float) or hours <= 0:
        raise RuntimeError(f"the figures of {municipality} hold no hours: scope {scope}, hours {hours!r}")
