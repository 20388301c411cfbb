"""Matching top-20 among a million volunteers, against a plain numpy reference on the same data.

``python -m bench.matching [--volunteers N] [--queries Q] [--seed S] [--out DIR]``. Each query runs the
reference and the project's ``CandidateIndex.top`` back to back (A B, alternating which goes first), so
both see the same machine state; the result is the median of per-query ratios plus p50/p95 of each.
The reference is what DESIGN.md names: a skills bitmask, a distance band and ``argpartition``; the
project's side also applies every hard gate (consent, VOG, availability, maximum distance, centrale,
support, open commitments), scores five aspects and re-assesses its shortlist exactly with reasons.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import statistics
import sys
import time
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from uuid import UUID

import numpy as np
import numpy.typing as npt

from contracts.events import WeeklySlot
from matching.domain import schedule
from matching.domain.geo import KM_PER_DEGREE_LAT, KM_PER_DEGREE_LON_AT_EQUATOR
from matching.domain.index import CandidateIndex
from matching.domain.model import TaskProfile, VolunteerProfile

TODAY = date(2026, 11, 22)
TOWNS = [(52.0907, 5.1214), (52.0894, 5.2330), (52.1561, 5.3878), (52.0116, 5.0933), (52.0430, 5.2260)]
CENTRALES = ["vc-utrecht", "vc-zeist", "vc-amersfoort", "vc-nieuwegein", "vc-bunnik"]
SKILLS = [f"skill-{i:02d}" for i in range(48)]
THEMES = ["zorg", "sport", "natuur", "taal", "cultuur", "ouderen", "jeugd", "voedsel", "wijk", "dieren"]
BAND_KM = 15.0
K = 20


def volunteers(count: int, seed: int) -> list[VolunteerProfile]:
    """Volunteers clustered around five towns, reproducible from ``seed``."""
    rng = random.Random(seed)
    people = []
    for i in range(count):
        town = rng.randrange(len(TOWNS))
        lat, lon = TOWNS[town]
        weekday = rng.randint(1, 7)
        start = rng.randint(8, 18)
        slots = [WeeklySlot(weekday=weekday, start=clock(start), end=clock(min(start + rng.randint(2, 5), 23)))]
        people.append(
            VolunteerProfile(
                volunteer_id=UUID(int=i + 1),
                centrale_id=CENTRALES[town],
                skills=frozenset(rng.sample(SKILLS, rng.randint(1, 4))),
                interests=frozenset(rng.sample(THEMES, rng.randint(1, 3))),
                languages=("nl",),
                availability_mask=schedule.slots_mask(slots),
                max_distance_km=rng.choice([None, 5, 10, 15, 25]),
                commitment=rng.choice(["either", "one_off", "structural"]),
                needs_support=rng.random() < 0.05,
                matching_consent=rng.random() < 0.9,
                regional_consent=rng.random() < 0.3,
                vog_valid_until=TODAY + timedelta(days=400) if rng.random() < 0.3 else None,
                open_commitments=rng.choice([0, 0, 0, 1, 2]),
                coordinates=(lat + rng.gauss(0, 0.03), lon + rng.gauss(0, 0.05)),
            )
        )
    return people


def tasks(count: int, seed: int) -> list[TaskProfile]:
    """Tasks near the towns with one to three skills and a weekly shift."""
    rng = random.Random(seed + 1)
    found = []
    for i in range(count):
        town = rng.randrange(len(TOWNS))
        lat, lon = TOWNS[town]
        weekday = rng.randint(1, 7)
        found.append(
            TaskProfile(
                task_id=UUID(int=10**12 + i),
                organisation_id=UUID(int=10**13 + i),
                centrale_id=CENTRALES[town],
                theme=rng.choice(THEMES),
                skills=frozenset(rng.sample(SKILLS, rng.randint(1, 3))),
                shift_mask=schedule.slots_mask([WeeklySlot(weekday=weekday, start=clock(9), end=clock(17))]),
                vog_required=rng.random() < 0.3,
                support_accessible=rng.random() < 0.3,
                coordinates=(lat + rng.gauss(0, 0.02), lon + rng.gauss(0, 0.03)),
            )
        )
    return found


class Reference:
    """The plain numpy baseline: skills bitmask, distance band, argpartition."""

    def __init__(self, people: list[VolunteerProfile]) -> None:
        self.bits = {skill: i for i, skill in enumerate(SKILLS)}
        self.skills = np.array([sum(1 << self.bits[s] for s in p.skills) for p in people], dtype=np.uint64)
        coordinates = np.array([p.coordinates for p in people], dtype=np.float32)
        self.lat, self.lon = coordinates[:, 0].copy(), coordinates[:, 1].copy()

    def top(self, task: TaskProfile) -> npt.NDArray[np.int64]:
        """Row numbers of the best ``K``: most shared skills within the band, nearer first."""
        assert task.coordinates is not None
        wanted = np.uint64(sum(1 << self.bits[s] for s in task.skills))
        lat0, lon0 = task.coordinates
        dx = (self.lon - lon0) * (KM_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(lat0)))
        dy = (self.lat - lat0) * KM_PER_DEGREE_LAT
        distance = np.sqrt(dx * dx + dy * dy)
        shared = np.bitwise_count(self.skills & wanted)
        rows = np.flatnonzero((shared > 0) & (distance < BAND_KM))
        score = shared[rows] + (1.0 - distance[rows] / BAND_KM)
        best = rows[np.argpartition(-score, K)[:K]] if rows.size > K else rows
        return best[np.argsort(-(shared[best] + (1.0 - distance[best] / BAND_KM)))]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def run(volunteer_count: int, query_count: int, seed: int) -> dict[str, Any]:
    """Build both sides on the same data and time them query by query."""
    started = time.perf_counter()
    people = volunteers(volunteer_count, seed)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    index = CandidateIndex(capacity=volunteer_count)
    index.bulk_load(people)
    loaded = time.perf_counter() - started
    reference = Reference(people)
    del people
    queries = tasks(query_count, seed)
    ours_ms: list[float] = []
    reference_ms: list[float] = []
    ratios: list[float] = []
    found_counts: list[int] = []
    for i, task in enumerate([*queries[:3], *queries]):  # the first three warm caches and are not counted
        order = ("reference", "ours") if i % 2 == 0 else ("ours", "reference")
        timing: dict[str, float] = {}
        for side in order:
            begin = time.perf_counter()
            if side == "ours":
                found_counts.append(
                    len(index.top(task, K, today=TODAY, max_open_commitments=3, other_centrales=CENTRALES[:2]))
                )
            else:
                reference.top(task)
            timing[side] = (time.perf_counter() - begin) * 1000
        if i >= 3:
            ours_ms.append(timing["ours"])
            reference_ms.append(timing["reference"])
            ratios.append(timing["ours"] / timing["reference"])
    ratio = statistics.median(ratios)
    return {
        "benchmark": "matching_top20",
        "volunteers": volunteer_count,
        "queries": query_count,
        "seed": seed,
        "generate_s": round(generated, 2),
        "index_load_s": round(loaded, 2),
        "ours_ms": {"p50": round(_percentile(ours_ms, 0.5), 2), "p95": round(_percentile(ours_ms, 0.95), 2)},
        "reference_ms": {
            "p50": round(_percentile(reference_ms, 0.5), 2),
            "p95": round(_percentile(reference_ms, 0.95), 2),
        },
        "median_ratio": round(ratio, 2),
        "goal": "<= 3.0 x reference",
        "met": ratio <= 3.0,
        "mean_candidates_found": round(statistics.mean(found_counts), 1),
    }


def markdown(result: dict[str, Any]) -> str:
    """One table row set for the README."""
    return (
        "| goal | ours p50 / p95 | reference p50 / p95 | median ratio | target | met |\n|---|---|---|---|---|---|\n"
        f"| matching top-{K} among {result['volunteers']:,} volunteers ({result['queries']} tasks) | "
        f"{result['ours_ms']['p50']} / {result['ours_ms']['p95']} ms | "
        f"{result['reference_ms']['p50']} / {result['reference_ms']['p95']} ms | "
        f"{result['median_ratio']} x | <= 3 x | {'yes' if result['met'] else 'no'} |"
    )


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point: prints the table, writes JSON when ``--out`` is given."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--volunteers", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    result = run(args.volunteers, args.queries, args.seed)
    table = markdown(result)
    sys.stdout.write(table + "\n" + json.dumps(result) + "\n")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "matching.json").write_text(json.dumps(result, indent=2) + "\n")
        (args.out / "matching.md").write_text(table + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
