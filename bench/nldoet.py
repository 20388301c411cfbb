"""The NLdoet spike through the real appreciation and reporting services, run as processes.

1. Both services get fresh databases; their consumer groups (named after them) start at the end of every
   topic they consume, so they see only what this scenario produces.
2. Prerequisites: the region's registrations and the spike's TaskPosted, VolunteerRegistered and
   MatchMade, from the same ``nldoet_weekend`` call whose HoursLogged are the burst. Both services run
   until their groups have committed all of it; then they stop (SIGTERM), and each database is copied
   (``CREATE DATABASE ... TEMPLATE``) for step 5.
3. The burst: the spike's HoursLogged onto ``registry.hours.v1`` while both are stopped; both start
   again. Drain time = process start → the group committed the burst's end offsets (polled every 0.1 s).
   Start-up = process start → ready (``/health/ready``, asked every 50 ms) and consuming (the group's
   first commit of the burst), whichever comes later; the rebalance and heartbeat warnings in each
   service's log of this start are counted. Reporting folds the queued hours into its aggregates in the
   background, after its consumer caught up: when its queue is empty again is reported beside its drain.
4. Completeness is checked, not assumed: every hours entry in each service's table, the sums equal,
   each participant's NLdoet award, no dead letters.
5. A second instance joins (``bench.join``): per service, on its copy, the burst again from its start,
   with a second instance started at the first commit; the pause it causes, and the same checks plus
   exactly-once ones (the region's figures; no award twice, every award published once).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import gc
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiokafka import TopicPartition

from bench.checks import Check, failed, fetch_value
from bench.generator import GeneratedEvent, Region, nldoet_weekend, region_registrations
from bench.harness import Run
from bench.join import JoinOutcome, join_run
from bench.services import (
    BenchService,
    GroupWatcher,
    consumed_topics,
    copy_database,
    log_summary,
    until_folded,
    until_published,
)
from bench.streams import Offsets, assigned_consumer, ce_id, produce, seek_to
from common.localinfra import create_database, drop_database
from common.ops import end_offsets, reset_offsets
from contracts import dead_letter_topic
from contracts.events import (
    AppreciationAwarded,
    HoursLogged,
    MatchMade,
    OrganisationRegistered,
    TaskPosted,
    VolunteerRegistered,
)

__all__ = [
    "SERVICES",
    "ServiceDrain",
    "SpikeOutcome",
    "dataset_event_ids",
    "drain_ratio",
    "drain_text",
    "run_spike",
    "spike_note",
    "startup_text",
]

SERVICES = ("reporting", "appreciation")
HOURS_TOPIC = HoursLogged.topic
AWARDS_TOPIC = AppreciationAwarded.topic
# Time bounds: a drain slower than this many records per second is reported as not drained.
_SLOWEST_RATE = 50.0
_MIN_WAIT_S = 120.0
_READY_TIMEOUT_S = 120.0
# Members leave the group when a service stops; a killed one stays until its session times out.
_GROUP_EMPTY_WAIT_S = 60.0
_POLL_S = 0.1
_SAMPLE_EVERY_S = 1.0
_OUTBOX_WAIT_S = 120.0
# The second instance is meant to join this far into the drain (see bench.join).
_JOIN_AT = 1 / 3
# The burst's hours are worked on the NLdoet Friday and Saturday: the region's figures of that month hold them all.
_BURST_MONTH = "2026-03"


@dataclass
class ServiceDrain:
    """How one service drained the burst: from process start to the last offset committed."""

    service: str
    records: int
    drained: int = 0
    ready_s: float | None = None
    first_progress_s: float | None = None
    drain_s: float | None = None
    # Reporting: process start → its hours queue empty again after the drain (the burst in its figures).
    folded_s: float | None = None
    # Appreciation: process start → its outbox published again after the drain (every award announced).
    published_s: float | None = None
    elapsed_s: float = 0.0
    cpu_seconds: float = 0.0
    peak_rss_bytes: int = 0
    log_since: int = 0
    start_log: dict[str, Any] = field(default_factory=dict)
    samples: list[tuple[float, int]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """Whether the group committed every record of the burst within the bound."""
        return self.drain_s is not None

    @property
    def seconds(self) -> float:
        """The drain time, or the time waited when it did not finish."""
        return self.drain_s if self.drain_s is not None else self.elapsed_s

    @property
    def consuming_s(self) -> float | None:
        """Start → ready and consuming (the later of readiness and the first commit)."""
        if self.ready_s is None or self.first_progress_s is None:
            return None
        return max(self.ready_s, self.first_progress_s)

    @property
    def rebalance_warnings(self) -> int:
        """Rebalance and heartbeat warnings in the service's log of this start."""
        return int(self.start_log.get("rebalance_warnings", 0))

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
                "first_progress_s": self.first_progress_s,
                "consuming_s": self.consuming_s,
                "rebalance_warnings": self.rebalance_warnings,
                "rebalance_problems": self.start_log.get("rebalance_problems", {}),
                "drain_after_ready_s": self.seconds - self.ready_s if self.ready_s is not None else None,
                "folded_s": self.folded_s,
                "published_s": self.published_s,
                "start_log_problems": self.start_log.get("problems", {}),
                "committed_samples": self.samples,
            },
        )


@dataclass
class SpikeOutcome:
    """Everything the spike found."""

    records: int
    drains: dict[str, ServiceDrain] = field(default_factory=dict)
    joins: dict[str, JoinOutcome] = field(default_factory=dict)
    prerequisites: dict[str, int] = field(default_factory=dict)
    prerequisites_s: dict[str, float] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    logs: dict[str, dict[str, Any]] = field(default_factory=dict)
    exit_codes: dict[str, list[int | None]] = field(default_factory=dict)

    @property
    def failures(self) -> list[str]:
        """What did not hold in the drain (steps 2-4), in words."""
        problems = failed(self.checks)
        problems += [
            f"{drain.service} did not drain in {drain.elapsed_s:.0f} s ({drain.drained:,} of {drain.records:,})"
            for drain in self.drains.values()
            if not drain.complete
        ]
        problems += [
            f"{service} exited uncleanly ({codes})"
            for service, codes in self.exit_codes.items()
            if not all(BenchService.clean_exit(code) for code in codes)
        ]
        return problems

    def as_dict(self) -> dict[str, Any]:
        """Plain values for the JSON result."""
        return {
            "records": self.records,
            "services": {name: drain.run().as_dict() for name, drain in self.drains.items()},
            "joins": {name: join.as_dict() for name, join in self.joins.items()},
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
    join_services: Sequence[str] = SERVICES,
    say: Callable[[str], None],
) -> SpikeOutcome:
    """Feed the spike to appreciation and reporting as processes, time how each drains the burst, then the joins."""
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
    copies = {service: f"{databases[service]}_join" for service in join_services}
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
            await _prerequisites(outcome, spike, services, topics, bootstrap, say)
            copy_dsns = {
                service: await copy_database(server_dsn, databases[service], name) for service, name in copies.items()
            }
            starts, burst_end = await _burst(outcome, spike, services, topics, bootstrap, say)
            for running in services.values():
                outcome.exit_codes[running.name].append(await running.stop())
            for name, dsn in copy_dsns.items():
                say(f"  {name}: a second instance joins during the burst (on a copy of its database)")
                checks = await _join_checks(name, dsn, spike, bootstrap)
                earlier = outcome.drains[name]
                second_after_s = None
                if earlier.drain_s is not None and earlier.first_progress_s is not None:
                    second_after_s = _JOIN_AT * (earlier.drain_s - earlier.first_progress_s)
                outcome.joins[name] = joined = await join_run(
                    service=name,
                    dsn=dsn,
                    bootstrap=bootstrap,
                    region=region.name,
                    start=starts[name],
                    end=burst_end,
                    logs=Path(logs),
                    checks=checks,
                    second_after_s=second_after_s,
                )
                say(f"  {joined.text()}")
        finally:
            for name, process in services.items():
                outcome.exit_codes[name].append(await process.stop())
                outcome.logs[name] = log_summary(process.process.log_path)
            for name in (*databases.values(), *copies.values()):
                with contextlib.suppress(Exception):  # never mask the scenario's own error
                    await drop_database(server_dsn, name)
    return outcome


async def _prerequisites(
    outcome: SpikeOutcome,
    spike: _Spike,
    services: dict[str, BenchService],
    topics: dict[str, list[str]],
    bootstrap: str,
    say: Callable[[str], None],
) -> None:
    """Step 2: the prerequisites until both groups have committed them; then both services stop."""
    for service in services.values():
        await reset_offsets(
            bootstrap, service.group, topics[service.name], to="latest", wait_for_empty_s=_GROUP_EMPTY_WAIT_S
        )
    dead_letter_topics = sorted({dead_letter_topic(topic) for names in topics.values() for topic in names})
    outcome.facts["dead_letters_before"] = {
        f"{tp.topic}[{tp.partition}]": offset
        for tp, offset in (await end_offsets(bootstrap, dead_letter_topics)).items()
    }
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
            await service.wait_ready(_READY_TIMEOUT_S)
            targets = {tp: end for tp, end in ends.items() if tp.topic in topics[service.name]}
            await watcher.wait_for(service.group, targets, timeout=wait_s, alive=service)
            seconds = outcome.prerequisites_s[service.name] = time.perf_counter() - started
            say(f"  {service.name} consumed the prerequisites in {seconds:.1f} s from its start")

        await asyncio.gather(*(caught_up(service) for service in services.values()))
    outcome.checks += await _prerequisite_checks(spike, services)
    for service in services.values():
        outcome.exit_codes[service.name].append(await service.stop())


async def _burst(
    outcome: SpikeOutcome,
    spike: _Spike,
    services: dict[str, BenchService],
    topics: dict[str, list[str]],
    bootstrap: str,
    say: Callable[[str], None],
) -> tuple[dict[str, dict[TopicPartition, int]], dict[TopicPartition, int]]:
    """Steps 3 and 4: the burst with timing, then the checks; each group's start and the burst's end offsets."""
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
        drain.start_log = log_summary(services[drain.service].process.log_path, since=drain.log_since)
        say(
            f"  {drain.service:<12} ready {drain.ready_s or 0:5.2f} s, consuming {drain.consuming_s or 0:5.2f} s "
            f"({drain.rebalance_warnings} rebalance warnings), drained {drain.drained:,} in {drain.seconds:6.1f} s "
            f"= {drain.run().rate:,.0f} rec/s, CPU {drain.cpu_seconds:.1f} s"
            + (f"; its figures folded at {drain.folded_s:.1f} s" if drain.folded_s is not None else "")
            + (f"; its awards published at {drain.published_s:.1f} s" if drain.published_s is not None else "")
        )
    outcome.checks += await _reporting_checks(services["reporting"].database_dsn, spike)
    outcome.checks += await _appreciation_checks(services["appreciation"].database_dsn, spike, outcome.facts)
    dead_letter_topics = sorted({dead_letter_topic(topic) for names in topics.values() for topic in names})
    before = outcome.facts["dead_letters_before"]
    added = {
        name: count - before.get(name, 0)
        for name, count in (
            (f"{tp.topic}[{tp.partition}]", offset)
            for tp, offset in (await end_offsets(bootstrap, dead_letter_topics)).items()
        )
    }
    outcome.facts["dead_letters_added"] = {name: count for name, count in added.items() if count}
    outcome.checks.append(Check("dead letters added on the consumed topics' .dlq", 0, sum(added.values())))
    return starts, burst_end


async def _time_drains(
    drains: dict[str, ServiceDrain],
    services: dict[str, BenchService],
    starts: dict[str, dict[TopicPartition, int]],
    end: dict[TopicPartition, int],
    bootstrap: str,
) -> None:
    """Start every service, then poll readiness and committed offsets until each drained the burst (or time ran out)."""
    wait_s = max(_MIN_WAIT_S, max(drain.records for drain in drains.values()) / _SLOWEST_RATE)
    for name, service in services.items():
        drains[name].log_since = service.log_size()
    started = time.perf_counter()
    for service in services.values():
        service.start()

    async def ready(service: BenchService) -> None:
        await service.wait_ready(_READY_TIMEOUT_S)
        drains[service.name].ready_s = time.perf_counter() - started

    readiness = [asyncio.create_task(ready(service)) for service in services.values()]
    # The work each service defers while its consumer catches up: when it was done too.
    settling = [
        asyncio.create_task(_settled(drains[name], services[name].database_dsn, started, wait_s))
        for name in services
        if name in _DEFERRED_WORK
    ]
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
                    if drain.drained and drain.first_progress_s is None:
                        drain.first_progress_s = drain.elapsed_s
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
        await asyncio.gather(*settling)
    finally:
        for task in [*readiness, *settling]:
            task.cancel()
        await asyncio.gather(*readiness, *settling, return_exceptions=True)


# Per service: the attribute of ServiceDrain noting when its deferred work was done, and how to wait for it.
_DEFERRED_WORK: dict[str, tuple[str, Callable[..., Awaitable[None]]]] = {
    "reporting": ("folded_s", until_folded),  # the hours queue folded: the burst in its figures
    "appreciation": ("published_s", until_published),  # the outbox published: every award announced
}


async def _settled(drain: ServiceDrain, dsn: str, started: float, wait_s: float) -> None:
    """Note when a service's deferred work is done once the burst is drained.

    The drain is the consumer's; reporting folds the queued hours into its aggregates and appreciation
    publishes its awards in the background, and both defer that while their consumer catches up, so this
    says when the figures were current and the awards announced.
    """
    attribute, until_done = _DEFERRED_WORK[drain.service]
    while True:  # the queue is empty before the burst too: only the drain's end counts
        if drain.drain_s is not None:
            break
        if time.perf_counter() - started > wait_s:
            return
        await asyncio.sleep(_POLL_S)
    with contextlib.suppress(TimeoutError):  # not done within the bound: the attribute stays None
        await until_done(dsn, timeout=max(0.0, wait_s - (time.perf_counter() - started)))
        setattr(drain, attribute, time.perf_counter() - started)


def _distinct(events: Iterable[GeneratedEvent], kind: type[Any], attribute: str) -> int:
    """How many different ``attribute`` values events of ``kind`` carry."""
    return len({getattr(g.event, attribute) for g in events if isinstance(g.event, kind)})


def _hours_total(spike: _Spike) -> Decimal:
    """The sum of the burst's hours."""
    return sum((g.event.hours for g in spike.burst if isinstance(g.event, HoursLogged)), Decimal(0))


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
    return [Check(name, count, await fetch_value(dsn, query)) for name, dsn, query, count in expected]


async def _reporting_checks(dsn: str, spike: _Spike) -> list[Check]:
    """Every hours entry projected by reporting, with the same total."""
    return [
        Check(
            "reporting hours_facts rows", len(spike.burst), await fetch_value(dsn, "SELECT count(*) FROM hours_facts")
        ),
        Check(
            "reporting hours_facts sum",
            _hours_total(spike),
            await fetch_value(dsn, "SELECT sum(hours) FROM hours_facts"),
        ),
    ]


async def _appreciation_checks(dsn: str, spike: _Spike, facts: dict[str, Any]) -> list[Check]:
    """Every hours entry counted by appreciation, with the same total, and each participant thanked for NLdoet."""
    participants = _distinct(spike.burst, HoursLogged, "volunteer_id")
    checks = [
        Check("appreciation hours rows", len(spike.burst), await fetch_value(dsn, "SELECT count(*) FROM hours")),
        Check("appreciation hours sum", _hours_total(spike), await fetch_value(dsn, "SELECT sum(hours) FROM hours")),
        Check(
            "appreciation NLdoet awards (one per participant)",
            participants,
            await fetch_value(dsn, "SELECT count(DISTINCT recipient_id) FROM awards WHERE rule_kind = 'nldoet'"),
        ),
    ]
    connection = await asyncpg.connect(dsn)
    try:
        awards = await connection.fetch("SELECT rule_kind, count(*) AS n FROM awards GROUP BY 1 ORDER BY 1")
        facts["appreciation_awards"] = {row["rule_kind"]: row["n"] for row in awards}
        facts["appreciation_outbox_unpublished_at_drain"] = await connection.fetchval(_UNPUBLISHED)
    finally:
        await connection.close()
    facts["participants"] = participants
    facts["hours_total"] = str(_hours_total(spike))
    return checks


_UNPUBLISHED = "SELECT count(*) FROM outbox WHERE published_at IS NULL"
# An award given twice would be two rows for one recipient, rule and occurrence.
_DUPLICATE_AWARDS = (
    "SELECT count(*) FROM (SELECT 1 FROM awards GROUP BY recipient_id, rule_id, occurrence HAVING count(*) > 1)"
    " AS twice"
)


async def _join_checks(
    service: str, dsn: str, spike: _Spike, bootstrap: str
) -> Callable[[BenchService], Awaitable[list[Check]]]:
    """The checks after a join run (step 4's, and what would show an event applied twice), set up before it starts."""
    total = _hours_total(spike)
    # Reporting's "active": at least one hour in the month (see reporting's README), so a person with only a
    # quarter of an hour on NLdoet took part but is not active.
    per_volunteer: dict[Any, Decimal] = collections.defaultdict(Decimal)
    for generated in spike.burst:
        if isinstance(generated.event, HoursLogged):
            per_volunteer[generated.event.volunteer_id] += generated.event.hours
    active = sum(1 for hours in per_volunteer.values() if hours >= 1)

    async def reporting(instance: BenchService) -> list[Check]:
        checks = await _reporting_checks(dsn, spike)
        # What a municipality reads: a record applied twice would count its hours (and person) twice here.
        async with httpx.AsyncClient(base_url=instance.process.url, timeout=120) as http:
            response = await http.get(
                "/v1/region/figures", params={"period": _BURST_MONTH}, headers=instance.ops_headers
            )
        response.raise_for_status()
        headline = {item["kpi"]: item["value"] for item in response.json()["headline"]}
        hours = headline.get("hours")
        found = Decimal(str(hours)).quantize(Decimal("0.01")) if isinstance(hours, int | float) else hours
        checks.append(Check(f"region hours {_BURST_MONTH} (HTTP figures)", total, found))
        checks.append(
            Check(f"region active volunteers {_BURST_MONTH} (HTTP)", active, headline.get("volunteers_active"))
        )
        return checks

    if service == "reporting":
        return reporting
    if service != "appreciation":
        raise ValueError(f"no join checks for {service}")
    awards_before = int(await fetch_value(dsn, "SELECT count(*) FROM awards"))
    offsets_before = await end_offsets(bootstrap, [AWARDS_TOPIC])

    async def appreciation(_instance: BenchService) -> list[Check]:
        checks = await _appreciation_checks(dsn, spike, {})
        checks.append(Check("appreciation awards given twice", 0, await fetch_value(dsn, _DUPLICATE_AWARDS)))
        # Every award published once: wait until the relays emptied the outbox, then read what came out.
        deadline = time.perf_counter() + _OUTBOX_WAIT_S
        while await fetch_value(dsn, _UNPUBLISHED) and time.perf_counter() < deadline:  # noqa: ASYNC110 (a poll)
            await asyncio.sleep(0.5)
        awards = int(await fetch_value(dsn, "SELECT count(*) FROM awards")) - awards_before
        published, distinct = await _records_since(bootstrap, offsets_before)
        checks.append(Check("awards published (records on the topic = new awards)", awards, published))
        checks.append(Check("awards published twice (records - distinct ce_id)", 0, published - distinct))
        return checks

    return appreciation


async def _records_since(bootstrap: str, start: dict[TopicPartition, int]) -> tuple[int, int]:
    """How many records the partitions of ``start`` got since, and how many distinct ``ce_id`` they carry."""
    end = await end_offsets(bootstrap, {tp.topic for tp in start})
    ids: set[str] = set()
    count = 0
    consumer = assigned_consumer(bootstrap, AWARDS_TOPIC)
    await consumer.start()
    try:
        consumer.assign(list(end))
        for tp in end:
            consumer.seek(tp, start.get(tp, 0))
        remaining = {tp for tp in end if end[tp] > start.get(tp, 0)}
        deadline = time.perf_counter() + _MIN_WAIT_S
        while remaining and time.perf_counter() < deadline:
            for tp, records in (await consumer.getmany(timeout_ms=500, max_records=5_000)).items():
                within = [record for record in records if record.offset < end[tp]]
                count += len(within)
                ids.update(ce_id(record.headers) for record in within)
                if records and records[-1].offset + 1 >= end[tp]:
                    remaining.discard(tp)
    finally:
        await consumer.stop()
    return count, len(ids)


def drain_ratio(outcome: SpikeOutcome, service: str, raw_seconds: float) -> float | None:
    """A service's drain time as a multiple of the raw drain (None when it did not drain)."""
    drain = outcome.drains.get(service)
    if drain is None or not drain.complete or raw_seconds <= 0:
        return None
    return drain.seconds / raw_seconds


def drain_text(outcome: SpikeOutcome, service: str, raw_seconds: float) -> str:
    """``5.9 x (19.3 s from process start, first commit at 13.1 s, vs raw 3.27 s)``, or how far it got."""
    drain = outcome.drains.get(service)
    if drain is None:
        return "not run"
    if not drain.complete:
        return (
            f"not drained in {drain.seconds:,.0f} s ({drain.drained:,} of {drain.records:,}); raw {raw_seconds:,.1f} s"
        )
    ratio = drain.seconds / raw_seconds
    first = f", first commit at {drain.first_progress_s:.1f} s" if drain.first_progress_s is not None else ""
    folded = f"; the burst in its figures at {drain.folded_s:.1f} s" if drain.folded_s is not None else ""
    published = f"; its awards published at {drain.published_s:.1f} s" if drain.published_s is not None else ""
    return (
        f"{ratio:,.1f} × ({drain.seconds:,.1f} s from process start{first}, vs raw {raw_seconds:,.2f} s)"
        f"{folded}{published}"
    )


def startup_text(outcome: SpikeOutcome) -> str:
    """Each service's start → ready and consuming, and its rebalance warnings."""
    parts = []
    for name, drain in outcome.drains.items():
        consuming = f"{drain.consuming_s:.1f} s" if drain.consuming_s is not None else "never"
        parts.append(f"{name} {consuming} ({drain.rebalance_warnings} rebalance warnings)")
    return "; ".join(parts)


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
        f"Drain = process start → the group committed the burst's last offset, both services started together; "
        f"/health/ready answered after {ready}. Before the burst each service consumed the spike's "
        f"{sum(outcome.prerequisites.values()):,} prerequisite events (registrations, tasks, matches; {prerequisites} "
        f"from start) and was stopped. Completeness: {held} (hours rows and sums in both services, one NLdoet award "
        f"per participant, no dead letters). Service logs (all starts): {logs}."
    )
