"""The NLdoet spike through the real appreciation and reporting services, run as processes.

1. Both services get fresh databases; their consumer groups (named after them) start at the end of every
   topic they consume, so they see only what this scenario produces.
2. Prerequisites: the region's registrations and the spike's TaskPosted, VolunteerRegistered and
   MatchMade, from the same ``nldoet_weekend`` call whose HoursLogged are the burst. Both services run
   until their groups have committed all of it; then they stop (SIGTERM).
3. The burst: the spike's HoursLogged onto ``registry.hours.v1`` while both are stopped; both start
   again. Drain time = process start → the group committed the burst's end offsets (polled every 0.2 s).
4. Completeness is checked, not assumed: every hours entry in each service's table, the sums equal,
   each participant's NLdoet award, no dead letters.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import gc
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
from aiokafka import TopicPartition

from bench.generator import GeneratedEvent, Region, nldoet_weekend, region_registrations
from bench.harness import Run
from bench.services import BenchService, GroupWatcher, consumed_topics, log_summary
from bench.streams import Offsets, assigned_consumer, ce_id, produce, seek_to
from common.localinfra import create_database, drop_database
from common.ops import end_offsets, reset_offsets
from contracts import dead_letter_topic
from contracts.events import (
    HoursLogged,
    MatchMade,
    OrganisationRegistered,
    TaskPosted,
    VolunteerRegistered,
)

__all__ = ["SERVICES", "ServiceDrain", "SpikeOutcome", "dataset_event_ids", "drain_text", "run_spike", "spike_note"]

SERVICES = ("reporting", "appreciation")
HOURS_TOPIC = HoursLogged.topic
# Time bounds: a drain slower than this many records per second is reported as not drained.
_SLOWEST_RATE = 50.0
_MIN_WAIT_S = 120.0
_READY_TIMEOUT_S = 120.0
# Members leave the group when a service stops; a killed one stays until its session times out.
_GROUP_EMPTY_WAIT_S = 60.0
_POLL_S = 0.2
_SAMPLE_EVERY_S = 1.0


@dataclass
class ServiceDrain:
    """How one service drained the burst: from process start to the last offset committed."""

    service: str
    records: int
    drained: int = 0
    ready_s: float | None = None
    drain_s: float | None = None
    elapsed_s: float = 0.0
    cpu_seconds: float = 0.0
    peak_rss_bytes: int = 0
    samples: list[tuple[float, int]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether the group committed every record of the burst within the bound."""
        return self.drain_s is not None

    @property
    def seconds(self) -> float:
        """The drain time, or the time waited when it did not finish."""
        return self.drain_s if self.drain_s is not None else self.elapsed_s

    def run(self) -> Run:
        """The drain as a Run (CPU and peak RSS are the service process's own)."""
        return Run(
            self.service,
            records=self.drained,
            seconds=self.seconds,
            cpu_seconds=self.cpu_seconds,
            peak_rss_bytes=self.peak_rss_bytes,
            extra={
                "drained": self.complete,
                "ready_s": self.ready_s,
                "drain_after_ready_s": self.seconds - self.ready_s if self.ready_s is not None else None,
                "committed_samples": self.samples,
            },
        )


@dataclass(frozen=True)
class Check:
    """One completeness check: what was expected, what was found."""

    name: str
    expected: Any
    found: Any

    @property
    def ok(self) -> bool:
        """Whether found equals expected."""
        return bool(self.expected == self.found)

    def as_dict(self) -> dict[str, Any]:
        """Plain values for the JSON result."""
        return {"name": self.name, "expected": str(self.expected), "found": str(self.found), "ok": self.ok}


@dataclass
class SpikeOutcome:
    """Everything the spike found."""

    records: int
    drains: dict[str, ServiceDrain] = field(default_factory=dict)
    prerequisites: dict[str, int] = field(default_factory=dict)
    prerequisites_s: dict[str, float] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    logs: dict[str, dict[str, Any]] = field(default_factory=dict)
    exit_codes: dict[str, list[int | None]] = field(default_factory=dict)

    @property
    def failures(self) -> list[str]:
        """What did not hold, in words."""
        failed = [
            f"{check.name}: expected {check.expected}, found {check.found}" for check in self.checks if not check.ok
        ]
        failed += [
            f"{drain.service} did not drain in {drain.elapsed_s:.0f} s ({drain.drained:,} of {drain.records:,})"
            for drain in self.drains.values()
            if not drain.complete
        ]
        failed += [
            f"{service} exited uncleanly ({codes})"
            for service, codes in self.exit_codes.items()
            if not all(BenchService.clean_exit(code) for code in codes)
        ]
        return failed

    def as_dict(self) -> dict[str, Any]:
        """Plain values for the JSON result."""
        return {
            "records": self.records,
            "services": {name: drain.run().as_dict() for name, drain in self.drains.items()},
            "prerequisites": self.prerequisites,
            "prerequisites_drain_s": self.prerequisites_s,
            "checks": [check.as_dict() for check in self.checks],
            "facts": self.facts,
            "logs": self.logs,
            "exit_codes": self.exit_codes,
        }


@dataclass(frozen=True)
class _Spike:
    """The spike's events split into what must come first and the burst."""

    prerequisites: list[GeneratedEvent]
    burst: list[GeneratedEvent]

    def count(self, kind: type[Any]) -> int:
        """How many prerequisites of ``kind``."""
        return sum(isinstance(generated.event, kind) for generated in self.prerequisites)


def _spike(region: Region, records: int) -> _Spike:
    """``nldoet_weekend`` split, plus the registrations of the region's volunteers and organisations it involves.

    Raises when a HoursLogged refers to a match, task or volunteer no prerequisite introduces.
    """
    events = nldoet_weekend(region, hours_events=records)
    burst = [generated for generated in events if isinstance(generated.event, HoursLogged)]
    spike = [generated for generated in events if not isinstance(generated.event, HoursLogged)]
    matches = {g.event.match_id: g.event for g in spike if isinstance(g.event, MatchMade)}
    tasks = {g.event.task_id: g.event for g in spike if isinstance(g.event, TaskPosted)}
    volunteers = {match.volunteer_id for match in matches.values()}
    organisations = {task.organisation_id for task in tasks.values()}
    known = [
        generated
        for generated in region_registrations(region)
        if getattr(generated.event, "volunteer_id", None) in volunteers
        or getattr(generated.event, "organisation_id", None) in organisations
    ]
    prerequisites = sorted(known + spike, key=lambda generated: generated.time)
    registered = {g.event.volunteer_id for g in prerequisites if isinstance(g.event, VolunteerRegistered)}
    for generated in burst:
        hours = generated.event
        assert isinstance(hours, HoursLogged)
        match = matches.get(hours.match_id)
        if match is None or match.task_id not in tasks or hours.volunteer_id not in registered:
            raise RuntimeError(f"HoursLogged {hours.hours_id} refers to a match, task or volunteer never introduced")
    return _Spike(prerequisites, burst)


async def dataset_event_ids(bootstrap: str, start: Offsets, end: Offsets) -> set[str]:
    """The ``ce_id`` of every record of ``registry.hours.v1`` between two positions (the produced data set)."""
    ids: set[str] = set()
    remaining = {partition for partition in end if end[partition] > start.get(partition, 0)}
    consumer = assigned_consumer(bootstrap, HOURS_TOPIC)
    await consumer.start()
    try:
        seek_to(consumer, HOURS_TOPIC, start)
        deadline = time.perf_counter() + _MIN_WAIT_S
        while remaining and time.perf_counter() < deadline:
            for tp, records in (await consumer.getmany(timeout_ms=500, max_records=5_000)).items():
                ids.update(ce_id(record.headers) for record in records if record.offset < end[tp.partition])
                if records and records[-1].offset + 1 >= end[tp.partition]:
                    remaining.discard(tp.partition)
    finally:
        await consumer.stop()
    if remaining:
        raise TimeoutError(f"partitions {sorted(remaining)} of {HOURS_TOPIC} not read to the data set's end")
    return ids


async def run_spike(
    *,
    bootstrap: str,
    server_dsn: str,
    region: Region,
    records: int,
    run_id: str,
    dataset_ids: set[str] | None,
    say: Callable[[str], None],
) -> SpikeOutcome:
    """Feed the spike to appreciation and reporting as processes and time how each drains the burst."""
    # The cyclic GC's passes over ~10^6 young objects cost more than building the spike itself.
    gc.disable()
    try:
        spike = _spike(region, records)
    finally:
        gc.enable()
        gc.collect()
    burst_ids = {str(generated.envelope.id) for generated in spike.burst}
    if dataset_ids is not None and burst_ids != dataset_ids:
        raise RuntimeError("the burst's HoursLogged are not the data set's (generator call or seed differ)")
    outcome = SpikeOutcome(records=len(spike.burst))
    outcome.prerequisites = dict(collections.Counter(type(g.event).__name__ for g in spike.prerequisites))
    say(f"  prerequisites: {', '.join(f'{n:,} {name}' for name, n in sorted(outcome.prerequisites.items()))}")
    topics = {service: consumed_topics(service) for service in SERVICES}
    outcome.facts["consumed_topics"] = topics
    databases = {service: f"bench_{run_id}_{service}" for service in SERVICES}
    with tempfile.TemporaryDirectory(prefix="regio-bench-services-") as logs:
        services = {
            service: BenchService.create(
                service,
                database_dsn=await create_database(server_dsn, name),
                bootstrap=bootstrap,
                region=region.name,
                log_path=Path(logs) / f"{service}.log",
            )
            for service, name in databases.items()
        }
        outcome.exit_codes = {service: [] for service in SERVICES}
        try:
            await _feed(outcome, spike, services, topics, bootstrap, say)
        finally:
            for service, process in services.items():
                outcome.exit_codes[service].append(await process.stop())
                outcome.logs[service] = log_summary(process.process.log_path)
            for name in databases.values():
                with contextlib.suppress(Exception):  # never mask the scenario's own error
                    await drop_database(server_dsn, name)
    return outcome


async def _feed(
    outcome: SpikeOutcome,
    spike: _Spike,
    services: dict[str, BenchService],
    topics: dict[str, list[str]],
    bootstrap: str,
    say: Callable[[str], None],
) -> None:
    """Prerequisites first, then the burst with timing, then the checks (see the module docstring)."""
    for service in services.values():
        await reset_offsets(
            bootstrap, service.group, topics[service.name], to="latest", wait_for_empty_s=_GROUP_EMPTY_WAIT_S
        )
    dead_letter_topics = sorted({dead_letter_topic(topic) for names in topics.values() for topic in names})
    dead_letters_before = await end_offsets(bootstrap, dead_letter_topics)

    # Prerequisites, until both groups have committed them.
    produced = {generated.event.topic for generated in spike.prerequisites}
    started = time.perf_counter()
    await produce(bootstrap, (generated.record() for generated in spike.prerequisites))
    say(f"  {len(spike.prerequisites):,} prerequisites produced in {time.perf_counter() - started:.1f} s")
    ends = await end_offsets(bootstrap, produced)
    wait_s = max(_MIN_WAIT_S, len(spike.prerequisites) / _SLOWEST_RATE)
    started = time.perf_counter()
    for service in services.values():
        service.start()
    async with GroupWatcher.connect(bootstrap) as watcher:

        async def caught_up(service: BenchService) -> None:
            await service.process.wait_ready(_READY_TIMEOUT_S)
            targets = {tp: end for tp, end in ends.items() if tp.topic in topics[service.name]}
            await watcher.wait_for(service.group, targets, timeout=wait_s, alive=service)
            seconds = outcome.prerequisites_s[service.name] = time.perf_counter() - started
            say(f"  {service.name} consumed the prerequisites in {seconds:.1f} s from its start")

        await asyncio.gather(*(caught_up(service) for service in services.values()))
    outcome.checks += await _prerequisite_checks(spike, services)
    for service in services.values():
        outcome.exit_codes[service.name].append(await service.stop())

    # The burst, produced while both are stopped; each group starts at its end offsets before it.
    starts = {}
    for service in services.values():
        starts[service.name] = await reset_offsets(
            bootstrap, service.group, [HOURS_TOPIC], to="latest", wait_for_empty_s=_GROUP_EMPTY_WAIT_S
        )
    started = time.perf_counter()
    await produce(bootstrap, (generated.record() for generated in spike.burst))
    say(f"  {len(spike.burst):,} HoursLogged produced in {time.perf_counter() - started:.1f} s; services start")
    burst_end = await end_offsets(bootstrap, [HOURS_TOPIC])
    for name, start in starts.items():
        if sum(burst_end[tp] - start[tp] for tp in burst_end) != len(spike.burst):
            raise RuntimeError(f"another producer wrote to {HOURS_TOPIC} while the burst was produced ({name})")
    outcome.drains = {name: ServiceDrain(name, len(spike.burst)) for name in services}
    await _time_drains(outcome.drains, services, starts, burst_end, bootstrap)
    for drain in outcome.drains.values():
        say(
            f"  {drain.service:<12} ready {drain.ready_s or 0:5.1f} s, drained {drain.drained:,} in "
            f"{drain.seconds:6.1f} s = {drain.run().rate:,.0f} rec/s, CPU {drain.cpu_seconds:.1f} s"
        )
    outcome.checks += await _burst_checks(spike, services, outcome.facts)
    dead_letters_after = await end_offsets(bootstrap, dead_letter_topics)
    added = {
        f"{tp.topic}[{tp.partition}]": dead_letters_after[tp] - dead_letters_before.get(tp, 0)
        for tp in dead_letters_after
    }
    outcome.facts["dead_letters_added"] = {name: count for name, count in added.items() if count}
    outcome.checks.append(Check("dead letters added on the consumed topics' .dlq", 0, sum(added.values())))


async def _time_drains(
    drains: dict[str, ServiceDrain],
    services: dict[str, BenchService],
    starts: dict[str, dict[TopicPartition, int]],
    end: dict[TopicPartition, int],
    bootstrap: str,
) -> None:
    """Start every service, then poll readiness and committed offsets until each drained the burst (or time ran out)."""
    wait_s = max(_MIN_WAIT_S, max(drain.records for drain in drains.values()) / _SLOWEST_RATE)
    started = time.perf_counter()
    for service in services.values():
        service.start()

    async def ready(service: BenchService) -> None:
        await service.process.wait_ready(_READY_TIMEOUT_S)
        drains[service.name].ready_s = time.perf_counter() - started

    readiness = [asyncio.create_task(ready(service)) for service in services.values()]
    try:
        async with GroupWatcher.connect(bootstrap) as watcher:
            pending = dict(services)
            last_sample = -_SAMPLE_EVERY_S
            while pending:
                elapsed = time.perf_counter() - started
                sample = elapsed - last_sample >= _SAMPLE_EVERY_S
                for name, service in list(pending.items()):
                    drain = drains[name]
                    drain.drained = await watcher.done(service.group, starts[name], end)
                    drain.elapsed_s = time.perf_counter() - started
                    drain.cpu_seconds, drain.peak_rss_bytes = service.cpu_seconds(), service.peak_rss_bytes()
                    if sample:
                        drain.samples.append((round(elapsed, 2), drain.drained))
                    if drain.drained >= drain.records:
                        drain.drain_s = drain.elapsed_s
                        drain.samples.append((round(drain.elapsed_s, 2), drain.drained))
                        del pending[name]
                    elif why := service.exited():
                        raise RuntimeError(why)
                if sample:
                    last_sample = elapsed
                if elapsed > wait_s:
                    break
                for task in readiness:
                    if task.done() and task.exception() is not None:
                        task.result()
                await asyncio.sleep(_POLL_S)
        # Ready may come after the drain (the consumers start before the HTTP server): wait for it too.
        await asyncio.wait_for(asyncio.gather(*readiness), _READY_TIMEOUT_S)
    finally:
        for task in readiness:
            task.cancel()
        await asyncio.gather(*readiness, return_exceptions=True)


async def _count(dsn: str, query: str) -> Any:
    """One value from a service's database."""
    connection = await asyncpg.connect(dsn)
    try:
        return await connection.fetchval(query)
    finally:
        await connection.close()


def _distinct(events: Iterable[GeneratedEvent], kind: type[Any], attribute: str) -> int:
    """How many different ``attribute`` values events of ``kind`` carry."""
    return len({getattr(g.event, attribute) for g in events if isinstance(g.event, kind)})


async def _prerequisite_checks(spike: _Spike, services: dict[str, BenchService]) -> list[Check]:
    """Each service projected every task, match, volunteer and organisation the burst refers to."""
    reporting, appreciation = services["reporting"].database_dsn, services["appreciation"].database_dsn
    volunteers = _distinct(spike.prerequisites, VolunteerRegistered, "volunteer_id")
    organisations = spike.count(OrganisationRegistered)
    expected = [
        ("reporting task_facts", reporting, "SELECT count(*) FROM task_facts", spike.count(TaskPosted)),
        ("reporting match_facts", reporting, "SELECT count(*) FROM match_facts", spike.count(MatchMade)),
        ("reporting volunteer_facts", reporting, "SELECT count(*) FROM volunteer_facts", volunteers),
        ("reporting organisation_facts", reporting, "SELECT count(*) FROM organisation_facts", organisations),
        ("appreciation tasks", appreciation, "SELECT count(*) FROM tasks", spike.count(TaskPosted)),
        ("appreciation matches", appreciation, "SELECT count(*) FROM matches", spike.count(MatchMade)),
        ("appreciation volunteers", appreciation, "SELECT count(*) FROM volunteers", volunteers),
        ("appreciation organisations", appreciation, "SELECT count(*) FROM organisations", organisations),
    ]
    return [Check(name, count, await _count(dsn, query)) for name, dsn, query, count in expected]


async def _burst_checks(spike: _Spike, services: dict[str, BenchService], facts: dict[str, Any]) -> list[Check]:
    """Every hours entry projected and counted, with the same total, and each participant thanked for NLdoet."""
    reporting, appreciation = services["reporting"].database_dsn, services["appreciation"].database_dsn
    total = sum((g.event.hours for g in spike.burst if isinstance(g.event, HoursLogged)), Decimal(0))
    participants = _distinct(spike.burst, HoursLogged, "volunteer_id")
    entries = len(spike.burst)
    checks = [
        Check("reporting hours_facts rows", entries, await _count(reporting, "SELECT count(*) FROM hours_facts")),
        Check("reporting hours_facts sum", total, await _count(reporting, "SELECT sum(hours) FROM hours_facts")),
        Check("appreciation hours rows", entries, await _count(appreciation, "SELECT count(*) FROM hours")),
        Check("appreciation hours sum", total, await _count(appreciation, "SELECT sum(hours) FROM hours")),
        Check(
            "appreciation NLdoet awards (one per participant)",
            participants,
            await _count(appreciation, "SELECT count(DISTINCT recipient_id) FROM awards WHERE rule_kind = 'nldoet'"),
        ),
    ]
    connection = await asyncpg.connect(appreciation)
    try:
        awards = await connection.fetch("SELECT rule_kind, count(*) AS n FROM awards GROUP BY 1 ORDER BY 1")
        facts["appreciation_awards"] = {row["rule_kind"]: row["n"] for row in awards}
        facts["appreciation_outbox_unpublished_at_drain"] = await connection.fetchval(
            "SELECT count(*) FROM outbox WHERE published_at IS NULL"
        )
    finally:
        await connection.close()
    facts["participants"] = participants
    facts["hours_total"] = str(total)
    return checks


def drain_text(outcome: SpikeOutcome, raw_seconds: float, order: Sequence[str] = SERVICES) -> str:
    """Each service's drain time, then the raw one, then each as a multiple of the raw one."""
    times, ratios = [], []
    for name in order:
        drain = outcome.drains.get(name)
        if drain is None:
            continue
        if drain.complete:
            times.append(f"{name} {drain.seconds:,.1f} s")
            ratios.append(f"{drain.seconds / raw_seconds:,.1f}×")
        else:
            times.append(f"{name} not drained in {drain.seconds:,.0f} s ({drain.drained:,} of {drain.records:,})")
            ratios.append("—")
    return f"{', '.join(times)} vs raw {raw_seconds:,.1f} s ({' / '.join(ratios)})"


def spike_note(outcome: SpikeOutcome) -> str:
    """What the drain times include, whether every check held, and what the service logs complained about."""
    topics: dict[str, list[str]] = outcome.facts.get("consumed_topics", {})
    ready = " and ".join(
        f"{drain.ready_s:.1f} s ({name}, {len(topics.get(name, []))} topics)"
        for name, drain in outcome.drains.items()
        if drain.ready_s is not None
    )
    prerequisites = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in outcome.prerequisites_s.items())
    failures = outcome.failures
    held = f"all {len(outcome.checks)} checks held" if not failures else f"FAILED: {'; '.join(failures)}"
    logs = "; ".join(
        f"{name} {summary['warnings']:,} warnings / {summary['errors']:,} errors"
        + "".join(f", {count:,} × {problem[:90]}" for problem, count in list(summary["problems"].items())[:3])
        for name, summary in outcome.logs.items()
    )
    return (
        f"Drain = process start → the group committed the burst's last offset; /health/ready answered after {ready} "
        "(each topic's subscriber joins the group on its own, and the group rebalances at every join). Before the "
        f"burst each service consumed the spike's {sum(outcome.prerequisites.values()):,} prerequisite events "
        f"(registrations, tasks, matches; {prerequisites} from start) and was stopped. Completeness: {held} (hours "
        f"rows and sums in both services, one NLdoet award per participant, no dead letters). Service logs: {logs}."
    )
