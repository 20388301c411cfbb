"""Facts, proposals and team days for matching's tests: sensible defaults, unique ids, override what matters."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from uuid import uuid4

from contracts.events import WeeklySlot
from matching.domain.geo import Centroid
from matching.domain.model import TaskFacts, VolunteerDay, VolunteerFacts
from matching.domain.proposals import Proposal, ProposalStatus, ProposalVia

__all__ = [
    "AREAS",
    "CENTRALE",
    "NOW",
    "TUESDAY_MORNING",
    "proposal_for",
    "task_facts",
    "team_day",
    "volunteer_facts",
]

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a Tuesday
CENTRALE = "vc-utrecht"
TUESDAY_MORNING = (WeeklySlot(weekday=2, start=time(9), end=time(12)),)
# Rounded real centroids: Utrecht centrum, Utrecht oost (~0.4 km), Zeist (~7.5 km), Amersfoort (~19 km).
AREAS = (
    Centroid("3511", 52.0907, 5.1214),
    Centroid("3512", 52.0874, 5.1250),
    Centroid("3701", 52.0894, 5.2330),
    Centroid("3811", 52.1561, 5.3878),
)


def volunteer_facts(**changes: Any) -> VolunteerFacts:
    """A consenting volunteer of CENTRALE who cooks, likes zorg, is free on Tuesday morning and lives in 3512."""
    base: dict[str, Any] = {
        "volunteer_id": uuid4(),
        "centrale_id": CENTRALE,
        "postcode_area": "3512",
        "skills": ("koken",),
        "interests": ("zorg",),
        "languages": ("nl",),
        "availability": TUESDAY_MORNING,
        "max_distance_km": 10,
        "matching_consent": True,
    }
    return VolunteerFacts(**{**base, **changes})


def task_facts(**changes: Any) -> TaskFacts:
    """A zorg task of CENTRALE in 3511 on Tuesday mornings, for someone who cooks; no VOG, room for two."""
    base: dict[str, Any] = {
        "task_id": uuid4(),
        "organisation_id": uuid4(),
        "centrale_id": CENTRALE,
        "theme": "zorg",
        "capacity": 2,
        "vog_required": False,
        "skills": ("koken",),
        "postcode_area": "3511",
        "shifts": TUESDAY_MORNING,
    }
    return TaskFacts(**{**base, **changes})


def proposal_for(task: TaskFacts, volunteer: VolunteerFacts, **changes: Any) -> Proposal:
    """A fresh proposal of the volunteer for the task."""
    base: dict[str, Any] = {
        "match_id": uuid4(),
        "task_id": task.task_id,
        "volunteer_id": volunteer.volunteer_id,
        "organisation_id": task.organisation_id,
        "centrale_id": task.centrale_id,
        "volunteer_centrale_id": volunteer.centrale_id,
        "score": 0.8,
        "reasons": ("vaardigheden 1/1: koken",),
        "via": ProposalVia.MATCHING,
        "needs_consulent": False,
        "status": ProposalStatus.PROPOSED,
        "proposed_at": NOW,
    }
    return Proposal(**{**base, **changes})


def team_day(**changes: Any) -> VolunteerDay:
    """A team of 8 on Wednesday 13 March 2030, preferring natuur near 3511."""
    base: dict[str, Any] = {
        "day_id": uuid4(),
        "partner_id": uuid4(),
        "team_size": 8,
        "on_date": date(2030, 3, 13),
        "themes": ("natuur",),
        "postcode_area": "3511",
    }
    return VolunteerDay(**{**base, **changes})
