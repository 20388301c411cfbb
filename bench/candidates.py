"""Matching's top-20 on the generated region: ``CandidateIndex.top`` against plain numpy doing the same work.

``bench.matching`` (matching's own benchmark) judges goal 7 against DESIGN.md's reference: a skills
bitmask, a distance band and ``argpartition``. This module answers the other half of the question: how
much of the index's time is its extra work (every hard gate, five weighted aspects, the exact
re-assessment) and how much is overhead. The population is the generated region's volunteers,
replicated with fresh ids, jittered coordinates and their own consent, VOG and open commitments until it
has the size asked for, so its distributions are the region's; both sides hold the same volunteers. The
reference computes the same gates and weights (``matching.domain.scoring``) with boolean masks, bit
counts and ``argpartition``, and skips what the index adds (bookkeeping, exact re-assessment, reasons).
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from datetime import time as clock
from typing import Any

import numpy as np
import numpy.typing as npt

from bench.generator import Region
from bench.harness import Run, cpu_seconds, peak_rss_bytes, reset_peak_rss, summarize
from contracts.events import WeeklySlot
from matching.domain import schedule
from matching.domain.geo import KM_PER_DEGREE_LAT
from matching.domain.index import CandidateIndex
from matching.domain.model import TaskProfile, VolunteerProfile
from matching.domain.scoring import DEFAULT_RANGE_KM, WEIGHTS

__all__ = [
    "MAX_OPEN_COMMITMENTS",
    "TODAY",
    "Population",
    "build_population",
    "load_index",
    "query_tasks",
    "time_queries",
]

TODAY = date(2026, 5, 4)
# The matching service's default for MATCHING_MAX_OPEN_COMMITMENTS.
MAX_OPEN_COMMITMENTS = 3
_EPOCH = date(1970, 1, 1)
_NO_VOG = -1
_COMMITMENT = {"either": 0, "one_off": 1, "structural": 2}
# Same as matching.domain.geo: the equirectangular approximation both sides use.
_KM_PER_DEGREE_LON_AT_EQUATOR = 111.32


def _slots(triples: Sequence[tuple[int, int, int]]) -> list[WeeklySlot]:
    """(weekday, start hour, end hour) triples as contract slots."""
    return [WeeklySlot(weekday=day, start=clock(start), end=clock(end)) for day, start, end in triples]


def _words(mask: int) -> tuple[int, int, int]:
    """A 168-bit week mask as three 64-bit words."""
    return mask & (2**64 - 1), (mask >> 64) & (2**64 - 1), (mask >> 128) & (2**64 - 1)


class _Codes:
    """Exact bit per code (the generator has fewer than 64 skills and themes)."""

    def __init__(self) -> None:
        self.bits: dict[str, int] = {}

    def mask(self, codes: Sequence[str] | frozenset[str]) -> int:
        value = 0
        for code in codes:
            value |= 1 << self.bits.setdefault(code, len(self.bits))
        return value


@dataclass
class Population:
    """The same volunteers as index input (profiles) and as the reference's arrays."""

    profiles: list[VolunteerProfile]
    arrays: dict[str, npt.NDArray[Any]]
    skills: _Codes
    interests: _Codes
    centrales: dict[str, int]

    def reference_top(self, task: TaskProfile, k: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """Rows and scores of the best ``k`` eligible volunteers by the reference computation, best first."""
        a = self.arrays
        eligible = a["consent"].copy()
        if not task.support_accessible:
            eligible &= ~a["support"]
        if task.vog_required:
            eligible &= a["vog_until"] >= (task.day(TODAY) - _EPOCH).days
        w0, w1, w2 = (np.uint64(word) for word in _words(task.shift_mask))
        availability = a["availability"]
        eligible &= ((availability[:, 0] & w0) | (availability[:, 1] & w1) | (availability[:, 2] & w2)) != 0
        eligible &= a["centrale"] == self.centrales.get(task.centrale_id, -2)
        eligible &= a["open"] < MAX_OPEN_COMMITMENTS
        rows = np.flatnonzero(eligible)
        assert task.coordinates is not None
        lat0, lon0 = task.coordinates
        dx = (a["lon"][rows] - lon0) * (_KM_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(lat0)))
        dy = (a["lat"][rows] - lat0) * KM_PER_DEGREE_LAT
        distance = np.sqrt(dx * dx + dy * dy)
        limit = a["max_distance"][rows]
        near = distance <= limit
        rows, distance, limit = rows[near], distance[near], limit[near]
        reach = np.where(np.isinf(limit), DEFAULT_RANGE_KM, np.maximum(limit, 1.0))
        score = (WEIGHTS["distance"] * np.clip(1.0 - distance / reach, 0.0, 1.0)).astype(np.float32)
        if task.skills:
            matched = np.bitwise_count(a["skills"][rows] & np.uint64(self.skills.mask(task.skills)))
            score += WEIGHTS["skills"] * np.minimum(matched.astype(np.float32) / len(task.skills), 1.0)
        else:
            score += WEIGHTS["skills"]
        score += WEIGHTS["interest"] * ((a["interests"][rows] & np.uint64(self.interests.mask([task.theme]))) != 0)
        commitment = a["commitment"][rows]
        score += WEIGHTS["commitment"] * ((commitment == 0) | (commitment == _COMMITMENT["structural"]))
        score += WEIGHTS["spread"] / (1.0 + a["open"][rows])
        if rows.size > k:
            best = np.argpartition(-score, k - 1)[:k]
            rows, score = rows[best], score[best]
        order = np.argsort(-score, kind="stable")
        return rows[order], score[order]


def build_population(region: Region, size: int, *, seed: int) -> Population:
    """``size`` volunteers drawn from the region's (see the module docstring), as profiles and arrays."""
    rng = np.random.default_rng(seed)
    base = region.volunteers
    skills, interests = _Codes(), _Codes()
    centrales: dict[str, int] = {}
    week = [schedule.slots_mask(_slots(v.availability)) for v in base]
    base_arrays: dict[str, npt.NDArray[Any]] = {
        "skills": np.array([skills.mask(v.skills) for v in base], dtype=np.uint64),
        "interests": np.array([interests.mask(v.interests) for v in base], dtype=np.uint64),
        "availability": np.array([_words(mask) for mask in week], dtype=np.uint64),
        "max_distance": np.array(
            [np.inf if v.max_distance_km is None else v.max_distance_km for v in base], dtype=np.float32
        ),
        "centrale": np.array([centrales.setdefault(v.centrale_id, len(centrales)) for v in base], dtype=np.int32),
        "support": np.array([v.needs_support for v in base], dtype=np.bool_),
        "commitment": np.array([_COMMITMENT[v.commitment] for v in base], dtype=np.uint8),
        "lat": np.array([v.lat for v in base], dtype=np.float64),
        "lon": np.array([v.lon for v in base], dtype=np.float64),
    }
    source = np.arange(size) % len(base)
    arrays = {name: values[source] for name, values in base_arrays.items()}
    # What differs per person even with the same profile: place within the town, consent, VOG, workload.
    arrays["lat"] = (arrays["lat"] + rng.normal(0, 0.6 / 111.2, size)).astype(np.float32)
    arrays["lon"] = (arrays["lon"] + rng.normal(0, 0.6 / 68.0, size)).astype(np.float32)
    arrays["consent"] = rng.random(size) < 0.95
    vog_days = (TODAY - _EPOCH).days + rng.integers(-200, 1100, size)
    arrays["vog_until"] = np.where(rng.random(size) < 0.4, vog_days, _NO_VOG).astype(np.int32)
    arrays["open"] = rng.choice(np.array([0, 0, 0, 1, 1, 2, 3], dtype=np.int32), size)
    ids = rng.bytes(16 * size)

    frozen = [(frozenset(v.skills), frozenset(v.interests)) for v in base]
    lat, lon, vog, consent, open_ = (
        arrays["lat"].tolist(),
        arrays["lon"].tolist(),
        arrays["vog_until"].tolist(),
        arrays["consent"].tolist(),
        arrays["open"].tolist(),
    )
    profiles = []
    for row, origin in enumerate(source.tolist()):
        volunteer = base[origin]
        profiles.append(
            VolunteerProfile(
                volunteer_id=uuid.UUID(bytes=ids[16 * row : 16 * row + 16], version=4),
                centrale_id=volunteer.centrale_id,
                skills=frozen[origin][0],
                interests=frozen[origin][1],
                languages=volunteer.languages,
                availability_mask=week[origin],
                max_distance_km=volunteer.max_distance_km,
                commitment=volunteer.commitment,
                needs_support=volunteer.needs_support,
                matching_consent=consent[row],
                regional_consent=volunteer.regional_matching_consent,
                vog_valid_until=None if vog[row] == _NO_VOG else _EPOCH + timedelta(days=vog[row]),
                open_commitments=open_[row],
                coordinates=(lat[row], lon[row]),
            )
        )
    return Population(profiles, arrays, skills, interests, centrales)


def query_tasks(region: Region, count: int) -> list[TaskProfile]:
    """Structural tasks of the region as matching sees them (the reference handles weekly shifts only)."""
    tasks = [task for task in region.tasks if not task.one_off][:count]
    return [
        TaskProfile(
            task_id=task.id,
            organisation_id=task.organisation_id,
            centrale_id=task.centrale_id,
            theme=task.theme,
            skills=frozenset(task.skills),
            shift_mask=schedule.slots_mask(_slots(task.shifts)),
            capacity=task.capacity,
            vog_required=task.vog_required,
            support_accessible=task.support_accessible,
            coordinates=(task.lat, task.lon),
        )
        for task in tasks
    ]


def load_index(population: Population) -> tuple[CandidateIndex, float]:
    """The project's index holding the population (its bulk load, as at start-up), and the seconds it took."""
    started = time.perf_counter()
    index = CandidateIndex(capacity=len(population.profiles))
    index.bulk_load(population.profiles)
    return index, time.perf_counter() - started


def time_queries(
    side: str, tasks: Sequence[TaskProfile], top: Callable[[TaskProfile, int], list[float]], k: int
) -> tuple[Run, list[list[float]]]:
    """Run ``top(task, k)`` for every task; the Run (one record per query) and each query's scores."""
    reset_peak_rss()
    timings: list[float] = []
    scores: list[list[float]] = []
    cpu_start = cpu_seconds()
    for task in tasks:
        started = time.perf_counter()
        result = top(task, k)
        timings.append((time.perf_counter() - started) * 1000)
        scores.append(result)
    return (
        Run(
            side,
            records=len(tasks),
            seconds=sum(timings) / 1000,
            cpu_seconds=cpu_seconds() - cpu_start,
            peak_rss_bytes=peak_rss_bytes(),
            latencies_ms={"query": summarize(timings)},
        ),
        scores,
    )
