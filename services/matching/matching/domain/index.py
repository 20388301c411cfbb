"""In-memory candidate index: the scoring's gates and score, vectorised with numpy over every volunteer.

A million volunteers fit in ~70 MB of arrays. ``top`` filters by the hard gates, scores the rest and
picks the best with ``argpartition``; the few best are then re-assessed exactly by ``scoring.assess``
(which also gives the reasons), so a skill that shares a bit with another can reorder, never admit.
"""

from __future__ import annotations

import math
import zlib
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

import numpy as np
import numpy.typing as npt

from matching.domain import schedule
from matching.domain.geo import KM_PER_DEGREE_LAT, KM_PER_DEGREE_LON_AT_EQUATOR
from matching.domain.model import TaskProfile, VolunteerProfile
from matching.domain.scoring import DEFAULT_RANGE_KM, UNKNOWN_DISTANCE_CLOSENESS, WEIGHTS, assess, task_mask

__all__ = ["Candidate", "CandidateIndex"]

Candidate = tuple[UUID, float, list[str]]

_EPOCH = date(1970, 1, 1)
_NO_VOG = -1
_COMMITMENT = {"either": 0, "one_off": 1, "structural": 2}
_CONSENT, _REGIONAL, _SUPPORT = 1, 2, 4


class _Vocabulary:
    """Codes to bits: the first 64 codes get a bit each, later ones share bits by hash."""

    def __init__(self) -> None:
        self._bits: dict[str, int] = {}

    def bit(self, code: str) -> int:
        if code not in self._bits:
            self._bits[code] = len(self._bits) if len(self._bits) < 64 else zlib.crc32(code.encode()) % 64
        return self._bits[code]

    def mask(self, codes: Iterable[str]) -> int:
        mask = 0
        for code in codes:
            mask |= 1 << self.bit(code)
        return mask


def _grown(
    old: npt.NDArray[Any] | None, capacity: int, dtype: Any, fill: object, width: int | None = None
) -> npt.NDArray[Any]:
    """A new array of ``capacity`` rows holding ``old``'s rows, the rest ``fill``."""
    # Column-major when wide: a query reads one column of every row, which is then contiguous.
    new = np.full((capacity,) if width is None else (capacity, width), fill, dtype=dtype, order="F")
    if old is not None:
        new[: len(old)] = old
    return new


class CandidateIndex:
    """Volunteers as parallel numpy arrays, for gating and scoring them all at once."""

    alive: npt.NDArray[np.bool_]
    skills: npt.NDArray[np.uint64]
    interests: npt.NDArray[np.uint64]
    availability: npt.NDArray[np.uint64]
    lat: npt.NDArray[np.float32]
    lon: npt.NDArray[np.float32]
    max_distance: npt.NDArray[np.float32]
    centrale: npt.NDArray[np.int32]
    flags: npt.NDArray[np.uint8]
    vog_until: npt.NDArray[np.int32]
    commitment: npt.NDArray[np.uint8]
    open: npt.NDArray[np.int32]

    def __init__(self, capacity: int = 1024) -> None:
        self._size = 0
        self._ids: list[UUID | None] = []
        self._rows: dict[UUID, int] = {}
        self._free: list[int] = []
        self.profiles: dict[UUID, VolunteerProfile] = {}
        self._skills_vocabulary = _Vocabulary()
        self._interest_vocabulary = _Vocabulary()
        self._centrales: dict[str, int] = {}
        self._one_off: defaultdict[date, set[int]] = defaultdict(set)
        self._allocate(capacity)

    def __len__(self) -> int:
        return len(self._rows)

    def _allocate(self, capacity: int) -> None:
        self.alive = _grown(getattr(self, "alive", None), capacity, np.bool_, False)
        self.skills = _grown(getattr(self, "skills", None), capacity, np.uint64, 0)
        self.interests = _grown(getattr(self, "interests", None), capacity, np.uint64, 0)
        self.availability = _grown(getattr(self, "availability", None), capacity, np.uint64, 0, width=3)
        self.lat = _grown(getattr(self, "lat", None), capacity, np.float32, np.nan)
        self.lon = _grown(getattr(self, "lon", None), capacity, np.float32, np.nan)
        self.max_distance = _grown(getattr(self, "max_distance", None), capacity, np.float32, np.inf)
        self.centrale = _grown(getattr(self, "centrale", None), capacity, np.int32, -1)
        self.flags = _grown(getattr(self, "flags", None), capacity, np.uint8, 0)
        self.vog_until = _grown(getattr(self, "vog_until", None), capacity, np.int32, _NO_VOG)
        self.commitment = _grown(getattr(self, "commitment", None), capacity, np.uint8, 0)
        self.open = _grown(getattr(self, "open", None), capacity, np.int32, 0)
        self._capacity = capacity
        self._ids.extend([None] * (capacity - len(self._ids)))

    def _centrale_code(self, centrale_id: str) -> int:
        return self._centrales.setdefault(centrale_id, len(self._centrales))

    def upsert(self, volunteer: VolunteerProfile) -> None:
        """Add or replace a volunteer."""
        row = self._rows.get(volunteer.volunteer_id)
        if row is None:
            row = self._free.pop() if self._free else self._size
            if row == self._size:
                self._size += 1
            if row >= self._capacity:
                self._allocate(self._capacity * 2)
            self._rows[volunteer.volunteer_id] = row
            self._ids[row] = volunteer.volunteer_id
        else:
            for day in self.profiles[volunteer.volunteer_id].one_off_dates:
                self._one_off[day].discard(row)
        self.profiles[volunteer.volunteer_id] = volunteer
        self.alive[row] = True
        self.skills[row] = self._skills_vocabulary.mask(volunteer.skills)
        self.interests[row] = self._interest_vocabulary.mask(volunteer.interests)
        self.availability[row] = schedule.mask_words(volunteer.availability_mask)
        self.lat[row], self.lon[row] = volunteer.coordinates or (np.nan, np.nan)
        self.max_distance[row] = np.inf if volunteer.max_distance_km is None else volunteer.max_distance_km
        self.centrale[row] = self._centrale_code(volunteer.centrale_id)
        self.flags[row] = (
            (_CONSENT if volunteer.matching_consent else 0)
            | (_REGIONAL if volunteer.regional_consent else 0)
            | (_SUPPORT if volunteer.needs_support else 0)
        )
        self.vog_until[row] = (volunteer.vog_valid_until - _EPOCH).days if volunteer.vog_valid_until else _NO_VOG
        self.commitment[row] = _COMMITMENT.get(volunteer.commitment, 0)
        self.open[row] = volunteer.open_commitments
        for day in volunteer.one_off_dates:
            self._one_off[day].add(row)

    def bulk_load(self, volunteers: list[VolunteerProfile]) -> None:
        """Add many volunteers at once (initial load); faster than ``upsert`` one by one."""
        fresh = [v for v in volunteers if v.volunteer_id not in self._rows]
        for known in (v for v in volunteers if v.volunteer_id in self._rows):
            self.upsert(known)
        if not fresh:
            return
        start, end = self._size, self._size + len(fresh)
        while end > self._capacity:
            self._allocate(self._capacity * 2)
        rows = slice(start, end)
        self.alive[rows] = True
        self.skills[rows] = np.array([self._skills_vocabulary.mask(v.skills) for v in fresh], dtype=np.uint64)
        self.interests[rows] = np.array([self._interest_vocabulary.mask(v.interests) for v in fresh], dtype=np.uint64)
        self.availability[rows] = np.array([schedule.mask_words(v.availability_mask) for v in fresh], dtype=np.uint64)
        coordinates = np.array([v.coordinates or (np.nan, np.nan) for v in fresh], dtype=np.float32)
        self.lat[rows], self.lon[rows] = coordinates[:, 0], coordinates[:, 1]
        self.max_distance[rows] = np.array(
            [np.inf if v.max_distance_km is None else v.max_distance_km for v in fresh], dtype=np.float32
        )
        self.centrale[rows] = np.array([self._centrale_code(v.centrale_id) for v in fresh], dtype=np.int32)
        self.flags[rows] = np.array(
            [
                (_CONSENT if v.matching_consent else 0)
                | (_REGIONAL if v.regional_consent else 0)
                | (_SUPPORT if v.needs_support else 0)
                for v in fresh
            ],
            dtype=np.uint8,
        )
        self.vog_until[rows] = np.array(
            [(v.vog_valid_until - _EPOCH).days if v.vog_valid_until else _NO_VOG for v in fresh], dtype=np.int32
        )
        self.commitment[rows] = np.array([_COMMITMENT.get(v.commitment, 0) for v in fresh], dtype=np.uint8)
        self.open[rows] = np.array([v.open_commitments for v in fresh], dtype=np.int32)
        for row, volunteer in enumerate(fresh, start=start):
            self._rows[volunteer.volunteer_id] = row
            self._ids[row] = volunteer.volunteer_id
            self.profiles[volunteer.volunteer_id] = volunteer
            for day in volunteer.one_off_dates:
                self._one_off[day].add(row)
        self._size = end

    def remove(self, volunteer_id: UUID) -> None:
        """Forget a volunteer (erased)."""
        row = self._rows.pop(volunteer_id, None)
        if row is None:
            return
        for day in self.profiles.pop(volunteer_id).one_off_dates:
            self._one_off[day].discard(row)
        self.alive[row] = False
        self._ids[row] = None
        self._free.append(row)

    def top(
        self,
        task: TaskProfile,
        k: int,
        *,
        today: date,
        max_open_commitments: int,
        other_centrales: Iterable[str] = (),
        exclude: Iterable[UUID] = (),
    ) -> list[Candidate]:
        """The best ``k`` eligible volunteers for the task, best first, with their reasons.

        ``other_centrales``: centrales whose volunteers may be proposed too, if they consented to
        regional matching (regional overflow); by default only the task's own centrale.
        """
        n = self._size
        if n == 0 or k <= 0:
            return []
        flags = self.flags[:n]
        # One pass for consent (must be set) and support (must be clear unless the task is accessible).
        checked = np.uint8(_CONSENT | (0 if task.support_accessible else _SUPPORT))
        eligible = self.alive[:n] & ((flags & checked) == np.uint8(_CONSENT))
        if task.vog_required:
            eligible &= self.vog_until[:n] >= (task.day(today) - _EPOCH).days
        words = schedule.mask_words(task_mask(task))
        availability = self.availability[:n]
        # Only the 64-hour words the task touches need looking at (a day's shift is usually one word).
        available = np.zeros(n, dtype=np.bool_)
        for i, word in enumerate(words):
            if word:
                available |= (availability[:, i] & np.uint64(word)) != 0
        if task.one_off_start is not None:
            extra_days = [r for r in self._one_off.get(task.one_off_start.date(), ()) if r < n]
            available[extra_days] = True
        eligible &= available
        own = self._centrales.get(task.centrale_id, -2)
        in_centrale = self.centrale[:n] == own
        others = [self._centrales[c] for c in other_centrales if c in self._centrales and c != task.centrale_id]
        if others:
            # One comparison per centrale: np.isin sorts or tables all rows, ten times slower for a few codes.
            from_others = self.centrale[:n] == others[0]
            for code in others[1:]:
                from_others |= self.centrale[:n] == code
            in_centrale |= from_others & ((flags & _REGIONAL) != 0)
        eligible &= in_centrale
        eligible &= self.open[:n] < max_open_commitments
        for excluded_id in exclude:
            row = self._rows.get(excluded_id)
            if row is not None and row < n:
                eligible[row] = False

        rows = np.flatnonzero(eligible)
        if rows.size == 0:
            return []
        closeness = np.full(rows.size, UNKNOWN_DISTANCE_CLOSENESS, dtype=np.float32)
        if task.coordinates is not None:
            lat0, lon0 = task.coordinates
            dx = (self.lon[rows] - lon0) * (KM_PER_DEGREE_LON_AT_EQUATOR * math.cos(math.radians(lat0)))
            dy = (self.lat[rows] - lat0) * KM_PER_DEGREE_LAT
            distance = np.sqrt(dx * dx + dy * dy)
            known = ~np.isnan(distance)
            limit = self.max_distance[rows]
            near = ~known | (distance <= limit)
            rows, distance, limit, known = rows[near], distance[near], limit[near], known[near]
            reach = np.where(np.isinf(limit), DEFAULT_RANGE_KM, np.maximum(limit, 1.0))
            closeness = np.where(known, np.clip(1.0 - distance / reach, 0.0, 1.0), UNKNOWN_DISTANCE_CLOSENESS)
        if rows.size == 0:
            return []
        score = WEIGHTS["distance"] * closeness.astype(np.float32)
        if task.skills:
            wanted = np.uint64(self._skills_vocabulary.mask(task.skills))
            matched = np.bitwise_count(self.skills[rows] & wanted).astype(np.float32)
            score += WEIGHTS["skills"] * np.minimum(matched / len(task.skills), 1.0)
        else:
            score += WEIGHTS["skills"]
        theme = np.uint64(self._interest_vocabulary.mask([task.theme]))
        score += WEIGHTS["interest"] * ((self.interests[rows] & theme) != 0)
        wanted_commitment = _COMMITMENT["one_off" if task.is_one_off else "structural"]
        commitment = self.commitment[rows]
        score += WEIGHTS["commitment"] * ((commitment == 0) | (commitment == wanted_commitment))
        score += WEIGHTS["spread"] / (1.0 + self.open[rows])

        # Shortlist generously, then assess exactly: shared bits may only have overrated someone.
        shortlist = min(rows.size, max(2 * k, k + 8))
        best = np.argpartition(-score, shortlist - 1)[:shortlist] if shortlist < rows.size else np.arange(rows.size)
        allowed = set(other_centrales) if others else set()
        candidates: list[Candidate] = []
        for row in rows[best]:
            found = self._ids[int(row)]
            assert found is not None, "alive rows always have an id"
            profile = self.profiles[found]
            assessment = assess(
                profile,
                task,
                today=today,
                max_open_commitments=max_open_commitments,
                other_centrale_allowed=profile.centrale_id in allowed,
            )
            if assessment.eligible:
                candidates.append((found, assessment.score, assessment.reasons))
        candidates.sort(key=lambda c: (-c[1], str(c[0])))
        return candidates[:k]
