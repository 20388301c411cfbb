"""A second instance of a service joining its consumer group while the first drains the NLdoet burst.

The first instance starts on a copy of the service's database taken after the prerequisites (the burst
is new to it), its group positioned at the start of the burst. A second instance (same database, same
group, its own port and log) starts so that it joins about a third into the drain: ``second_after_s``
after the first, chosen from the earlier drain of the same burst (an instance takes as long to join as
the first took to start consuming, so starting it at a third of the drain time lands its join there);
without that, at the first commit. Progress is the group's committed offsets, polled every 50 ms;
membership (members holding partitions of the burst's topic) the group's description, every 250 ms.

- Pause: the longest time without progress from the second instance's start until the burst is
  drained (the rebalance: the first instance gives up partitions, both are assigned, both fetch again),
  next to the median time between two commits.
- Nothing lost, nothing applied twice: the caller's checks (rows and sums exact, awards once, what was
  published) run after the drain, while both instances still run.
"""

from __future__ import annotations

import asyncio
import itertools
import statistics
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiokafka import TopicPartition

from bench.checks import Check, failed
from bench.services import BenchService, GroupWatcher, log_summary
from common.ops import commit_offsets, describe_group

__all__ = ["JoinOutcome", "join_run", "pauses"]

_POLL_S = 0.05
_MEMBERS_EVERY_S = 0.25
_READY_TIMEOUT_S = 120.0
_EMPTY_GROUP_TIMEOUT_S = 60.0
# A drain slower than this many records a second is reported as not drained.
_SLOWEST_RATE = 50.0
_MIN_WAIT_S = 120.0


@dataclass
class JoinOutcome:
    """What happened when the second instance joined."""

    service: str
    records: int
    drained: int = 0
    drain_s: float | None = None
    first_progress_s: float | None = None
    second_started_s: float | None = None
    second_member_s: float | None = None
    pause_s: float | None = None
    typical_gap_s: float | None = None
    members: list[tuple[float, int]] = field(default_factory=list)
    progress: list[tuple[float, int]] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    exit_codes: list[int | None] = field(default_factory=list)
    logs: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def failures(self) -> list[str]:
        """What did not hold, in words."""
        problems = failed(self.checks)
        if self.drain_s is None:
            problems.append(f"not drained ({self.drained:,} of {self.records:,})")
        if not all(BenchService.clean_exit(code) for code in self.exit_codes):
            problems.append(f"an instance exited uncleanly ({self.exit_codes})")
        return problems

    @property
    def joined_during_burst(self) -> bool:
        """Whether the second instance was assigned partitions of the burst's topic before it was drained."""
        return self.second_member_s is not None and (self.drain_s is None or self.second_member_s < self.drain_s)

    def text(self) -> str:
        """One sentence: when it joined, the pause, the checks."""
        if self.second_started_s is None:
            return f"{self.service}: the second instance never started"
        if not self.joined_during_burst:
            timing = (
                f"{self.service}: the burst was drained ({self.drain_s or 0:.1f} s) before the second instance "
                f"(started at {self.second_started_s:.1f} s) joined: no pause to measure"
            )
        else:
            assert self.second_member_s is not None
            timing = (
                f"{self.service}: second instance started at {self.second_started_s:.1f} s, a member at "
                f"{self.second_member_s:.1f} s; longest pause {self.pause_s or 0:.2f} s (median gap between "
                f"commits {self.typical_gap_s or 0:.2f} s); drained in {self.drain_s or 0:.1f} s"
            )
        held = f"all {len(self.checks)} checks held" if not self.failures else f"FAILED: {'; '.join(self.failures)}"
        return f"{timing}; {held}"

    def as_dict(self) -> dict[str, Any]:
        """Plain values for the JSON result."""
        return {
            "service": self.service,
            "records": self.records,
            "drained": self.drained,
            "drain_s": self.drain_s,
            "first_progress_s": self.first_progress_s,
            "second_started_s": self.second_started_s,
            "second_member_s": self.second_member_s,
            "pause_s": self.pause_s,
            "typical_gap_s": self.typical_gap_s,
            "members": self.members,
            "progress": self.progress,
            "checks": [check.as_dict() for check in self.checks],
            "exit_codes": self.exit_codes,
            "logs": self.logs,
        }


def pauses(progress: list[tuple[float, int]], since: float) -> tuple[float | None, float | None]:
    """The longest gap between two progress steps ending after ``since``, and the median gap of all."""
    steps = [moment for moment, _ in progress]
    gaps = [(later - earlier, later) for earlier, later in itertools.pairwise(steps)]
    after = [gap for gap, later in gaps if later > since]
    return (max(after) if after else None), (statistics.median(gap for gap, _ in gaps) if gaps else None)


async def _until_empty(bootstrap: str, group: str) -> None:
    """Wait until the group has no members (instances that stopped have left)."""
    deadline = time.perf_counter() + _EMPTY_GROUP_TIMEOUT_S
    while (await describe_group(bootstrap, group))[1]:
        if time.perf_counter() > deadline:
            raise TimeoutError(f"group {group} still has members after {_EMPTY_GROUP_TIMEOUT_S:.0f} s")
        await asyncio.sleep(0.5)


async def join_run(
    *,
    service: str,
    dsn: str,
    bootstrap: str,
    region: str,
    start: Mapping[TopicPartition, int],
    end: Mapping[TopicPartition, int],
    logs: Path,
    checks: Callable[[BenchService], Awaitable[list[Check]]],
    second_after_s: float | None = None,
) -> JoinOutcome:
    """Drain ``start``..``end`` with a second instance joining meanwhile; the checks after the drain."""
    records = sum(end[tp] - start[tp] for tp in end)
    outcome = JoinOutcome(service, records)
    instances = [
        BenchService.create(service, database_dsn=dsn, bootstrap=bootstrap, region=region, log_path=logs / f"{n}.log")
        for n in (f"{service}-join-1", f"{service}-join-2")
    ]
    first, second = instances
    await _until_empty(bootstrap, first.group)
    await commit_offsets(bootstrap, first.group, dict(start))
    wait_s = max(_MIN_WAIT_S, records / _SLOWEST_RATE)
    try:
        started = time.perf_counter()
        first.start()
        async with GroupWatcher.connect(bootstrap) as watcher:
            next_members = 0.0
            while outcome.drain_s is None:
                elapsed = time.perf_counter() - started
                done = await watcher.done(first.group, start, end)
                if done > outcome.drained:
                    outcome.drained = done
                    outcome.progress.append((round(elapsed, 3), done))
                    if outcome.first_progress_s is None:
                        outcome.first_progress_s = elapsed
                if done >= records:
                    outcome.drain_s = elapsed
                due = elapsed >= second_after_s if second_after_s is not None else done > 0
                if outcome.second_started_s is None and due:
                    second.start()
                    outcome.second_started_s = elapsed
                if elapsed >= next_members:
                    await _note_members(outcome, first.group, {tp.topic for tp in end}, elapsed, bootstrap)
                    next_members = elapsed + _MEMBERS_EVERY_S
                for instance in instances:
                    if why := instance.exited():
                        raise RuntimeError(why)
                if elapsed > wait_s:
                    break
                await asyncio.sleep(_POLL_S)
        if outcome.second_started_s is not None:
            outcome.pause_s, outcome.typical_gap_s = pauses(outcome.progress, outcome.second_started_s)
        # Both running and ready before the checks (a late joiner's start-up is over), then checked while running.
        for instance in instances:
            if instance.process.process is not None:
                await instance.wait_ready(_READY_TIMEOUT_S)
        outcome.checks = await checks(first)
    finally:
        for number, instance in enumerate(instances, start=1):
            outcome.exit_codes.append(await instance.stop())
            outcome.logs[f"instance {number}"] = log_summary(instance.process.log_path)
    return outcome


async def _note_members(outcome: JoinOutcome, group: str, topics: set[str], elapsed: float, bootstrap: str) -> None:
    """Record how many members hold partitions of the burst's topic, and when the second instance first does.

    Counting members with an assignment of that topic counts instances, whether a service joins its group
    as one member or as one per topic.
    """
    _, members = await describe_group(bootstrap, group)
    count = sum(any(tp.topic in topics for tp in member.partitions) for member in members)
    if not outcome.members or outcome.members[-1][1] != count:
        outcome.members.append((round(elapsed, 3), count))
    if outcome.second_started_s is not None and outcome.second_member_s is None and count >= 2:
        outcome.second_member_s = elapsed
