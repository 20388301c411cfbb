"""Explainable matching: hard gates that exclude a volunteer, and a score with its reasons in Dutch.

The candidate index (``index.py``) computes the same gates and score vectorised over every
volunteer; this module is the reference it is tested against and the source of the reasons shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from matching.domain import schedule
from matching.domain.geo import distance_km
from matching.domain.model import TaskProfile, VolunteerProfile

__all__ = ["WEIGHTS", "Assessment", "assess", "distance_between", "task_mask"]

# How much each aspect counts; they sum to 1, so a score is between 0 and 1.
WEIGHTS = {"skills": 0.35, "interest": 0.2, "distance": 0.2, "commitment": 0.15, "spread": 0.1}
# When a volunteer named no maximum distance, closeness is judged against this.
DEFAULT_RANGE_KM = 25.0
UNKNOWN_DISTANCE_CLOSENESS = 0.5


@dataclass(frozen=True)
class Assessment:
    """Whether a volunteer may be proposed for a task, how well they fit, and why."""

    excluded_because: list[str]
    score: float
    reasons: list[str]

    @property
    def eligible(self) -> bool:
        """True when no hard gate excludes the volunteer."""
        return not self.excluded_because


def task_mask(task: TaskProfile) -> int:
    """The weekly hours the task needs people."""
    if task.shift_mask:
        return task.shift_mask
    if task.one_off_start and task.one_off_end:
        return schedule.window_mask(task.one_off_start, task.one_off_end)
    return 0


def distance_between(volunteer: VolunteerProfile, task: TaskProfile) -> float | None:
    """Kilometres between their PC4 areas, or None when either area's coordinates are unknown."""
    if volunteer.coordinates is None or task.coordinates is None:
        return None
    return distance_km(*volunteer.coordinates, *task.coordinates)


def assess(
    volunteer: VolunteerProfile,
    task: TaskProfile,
    *,
    today: date,
    max_open_commitments: int,
    other_centrale_allowed: bool = False,
) -> Assessment:
    """Apply the hard gates and score the fit, with reasons a consulent can read."""
    distance = distance_between(volunteer, task)
    needed = task_mask(task)
    overlap = volunteer.availability_mask & needed
    on_one_off_date = task.one_off_start is not None and task.one_off_start.date() in volunteer.one_off_dates

    excluded = []
    if not volunteer.matching_consent:
        excluded.append("geen toestemming voor bemiddeling")
    if volunteer.needs_support and not task.support_accessible:
        excluded.append("heeft begeleiding nodig; de taak is daar niet op ingericht")
    if task.vog_required and (volunteer.vog_valid_until is None or volunteer.vog_valid_until < task.day(today)):
        excluded.append("VOG vereist en niet (meer) geldig")
    if not overlap and not on_one_off_date:
        excluded.append("niet beschikbaar op de tijden van de taak")
    if distance is not None and volunteer.max_distance_km is not None and distance > volunteer.max_distance_km:
        excluded.append(f"te ver weg: {distance:.0f} km, wil maximaal {volunteer.max_distance_km} km")
    if volunteer.centrale_id != task.centrale_id and not (other_centrale_allowed and volunteer.regional_consent):
        excluded.append("andere centrale, zonder regionale toestemming")
    if volunteer.open_commitments >= max_open_commitments:
        excluded.append(f"heeft al {volunteer.open_commitments} openstaande voorstellen of matches")

    reasons = []
    if task.skills:
        matched = sorted(volunteer.skills & task.skills)
        skills = len(matched) / len(task.skills)
        reasons.append(
            f"vaardigheden {len(matched)}/{len(task.skills)}" + (f": {', '.join(matched)}" if matched else "")
        )
    else:
        skills = 1.0
        reasons.append("geen bijzondere vaardigheden nodig")
    interest = 1.0 if task.theme in volunteer.interests else 0.0
    if interest:
        reasons.append(f"interesse in thema {task.theme}")
    if overlap:
        reasons.append(f"beschikbaar {schedule.describe(overlap)}")
    elif on_one_off_date:
        reasons.append(f"beschikbaar op {task.one_off_start.date().isoformat()}")  # type: ignore[union-attr]
    if distance is None:
        closeness = UNKNOWN_DISTANCE_CLOSENESS
        reasons.append("afstand onbekend")
    else:
        reach = float(volunteer.max_distance_km) if volunteer.max_distance_km else DEFAULT_RANGE_KM
        closeness = max(0.0, 1.0 - distance / max(reach, 1.0))
        limit = f", wil maximaal {volunteer.max_distance_km} km" if volunteer.max_distance_km is not None else ""
        reasons.append(f"afstand {distance:.1f} km{limit}")
    wanted = "one_off" if task.is_one_off else "structural"
    commitment = 1.0 if volunteer.commitment in (wanted, "either") else 0.0
    kind = "eenmalig" if task.is_one_off else "structureel"
    reasons.append(f"voorkeur past bij {kind} werk" if commitment else f"voorkeur past niet bij {kind} werk")
    if volunteer.languages:
        reasons.append(f"spreekt {', '.join(volunteer.languages)}")
    spread = 1.0 / (1 + volunteer.open_commitments)
    if volunteer.open_commitments:
        reasons.append(f"al {volunteer.open_commitments} openstaand (spreiding)")
    score = (
        WEIGHTS["skills"] * skills
        + WEIGHTS["interest"] * interest
        + WEIGHTS["distance"] * closeness
        + WEIGHTS["commitment"] * commitment
        + WEIGHTS["spread"] * spread
    )
    return Assessment(excluded_because=excluded, score=round(score, 6), reasons=reasons)
