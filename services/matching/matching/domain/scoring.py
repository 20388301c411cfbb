"""Explainable matching: gates that exclude a volunteer, and a score with its reasons in Dutch.

The candidate index (``index.py``) computes the same gates and score vectorised over every
volunteer; this module is the reference it is tested against and the source of the reasons shown.

A gate that fails says why in plain Dutch, addressed to the volunteer (they read it when they respond).
Consent (for matching, for regional matching) and the VOG are hard gates: nobody can set them aside.
The others are soft: a consulent may override one with a recorded reason (``SOFT_GATES``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from matching.domain import schedule
from matching.domain.geo import distance_km
from matching.domain.model import TaskProfile, VolunteerProfile

__all__ = [
    "HARD_GATES",
    "SOFT_GATES",
    "WEIGHTS",
    "Assessment",
    "FailedGate",
    "Gate",
    "assess",
    "distance_between",
    "task_mask",
]

# How much each aspect counts; they sum to 1, so a score is between 0 and 1.
WEIGHTS = {"skills": 0.35, "interest": 0.2, "distance": 0.2, "commitment": 0.15, "spread": 0.1}
# When a volunteer named no maximum distance, closeness is judged against this.
DEFAULT_RANGE_KM = 25.0
UNKNOWN_DISTANCE_CLOSENESS = 0.5


class Gate(StrEnum):
    """A condition a volunteer must meet to be proposed for a task."""

    CONSENT = "consent"
    """Consented to being proposed for tasks at all."""
    SUPPORT = "support"
    """Needs support, and the task is set up for it."""
    VOG = "vog"
    """A valid VOG where the task needs one."""
    AVAILABILITY = "availability"
    """Available when the task needs people."""
    DISTANCE = "distance"
    """Within the distance the volunteer wants to travel."""
    REGIONAL_CONSENT = "regional_consent"
    """Another centrale's task only with consent to regional matching."""
    COMMITMENTS = "commitments"
    """Not already at the limit of open proposals and matches."""


HARD_GATES = frozenset({Gate.CONSENT, Gate.VOG, Gate.REGIONAL_CONSENT})
"""Never overridden: consent is the volunteer's to give, a VOG protects the people the task serves."""
SOFT_GATES = frozenset(Gate) - HARD_GATES
"""A consulent may override these, with a reason that is recorded."""


@dataclass(frozen=True)
class FailedGate:
    """A gate the volunteer does not pass, and why, in words for the volunteer."""

    gate: Gate
    message: str

    @property
    def overridable(self) -> bool:
        """Whether a consulent may set it aside (never consent or the VOG)."""
        return self.gate in SOFT_GATES


@dataclass(frozen=True)
class Assessment:
    """Whether a volunteer may be proposed for a task, how well they fit, and why."""

    failed: list[FailedGate]
    score: float
    reasons: list[str]

    @property
    def excluded_because(self) -> list[str]:
        """Why the volunteer may not be proposed, one sentence per failed gate."""
        return [failed.message for failed in self.failed]

    @property
    def eligible(self) -> bool:
        """True when no gate excludes the volunteer."""
        return not self.failed

    def eligible_with(self, overridden: frozenset[Gate] | set[Gate]) -> bool:
        """True when every gate that fails is one of ``overridden`` (soft gates a consulent set aside)."""
        return all(failed.overridable and failed.gate in overridden for failed in self.failed)


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

    failed = []
    if not volunteer.matching_consent:
        failed.append(
            FailedGate(
                Gate.CONSENT,
                "Je hebt nog geen toestemming gegeven om voor taken te worden voorgesteld. "
                "Geef die toestemming bij je gegevens; daarna kun je reageren.",
            )
        )
    if volunteer.needs_support and not task.support_accessible:
        failed.append(
            FailedGate(
                Gate.SUPPORT,
                "Deze taak is niet ingericht op vrijwilligers die begeleiding krijgen. "
                "Je consulent kijkt graag met je naar een taak die beter past.",
            )
        )
    if task.vog_required and (volunteer.vog_valid_until is None or volunteer.vog_valid_until < task.day(today)):
        failed.append(
            FailedGate(
                Gate.VOG,
                "Voor deze taak is een VOG (Verklaring Omtrent het Gedrag) nodig, en we hebben geen geldige VOG "
                "van je. De vrijwilligerscentrale helpt je er gratis een aan te vragen.",
            )
        )
    if not overlap and not on_one_off_date:
        failed.append(
            FailedGate(Gate.AVAILABILITY, "Je bent niet beschikbaar op de dagen en tijden waarop deze taak is.")
        )
    if distance is not None and volunteer.max_distance_km is not None and distance > volunteer.max_distance_km:
        failed.append(
            FailedGate(
                Gate.DISTANCE,
                f"Deze taak is ongeveer {distance:.0f} km bij je vandaan; je wilt maximaal "
                f"{volunteer.max_distance_km} km reizen.",
            )
        )
    if volunteer.centrale_id != task.centrale_id and not (other_centrale_allowed and volunteer.regional_consent):
        failed.append(
            FailedGate(
                Gate.REGIONAL_CONSENT,
                "Deze taak hoort bij een andere vrijwilligerscentrale in de regio. Daarvoor is je toestemming "
                "voor regionale bemiddeling nodig; die kun je geven bij je gegevens.",
            )
        )
    if volunteer.open_commitments >= max_open_commitments:
        failed.append(
            FailedGate(
                Gate.COMMITMENTS,
                f"Je hebt al {volunteer.open_commitments} voorstellen of taken lopen; dat is het maximum. "
                "Rond er eerst een af voordat je op iets nieuws reageert.",
            )
        )

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
    return Assessment(failed=failed, score=round(score, 6), reasons=reasons)
