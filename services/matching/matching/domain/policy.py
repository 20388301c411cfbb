"""The numbers matching decides by, as one instance is configured (from ``MATCHING_*`` settings)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

__all__ = ["MatchingPolicy"]


@dataclass(frozen=True)
class MatchingPolicy:
    """How many to propose, how long proposals wait, when overflow starts, how far a team travels; how many
    Beursvloer pairs a new offer or request gets, and how far apart they may be."""

    proposals_per_task: int = 5
    max_open_commitments: int = 3
    proposal_ttl: timedelta = timedelta(days=14)
    overflow_after: timedelta = timedelta(days=14)
    team_day_radius_km: float = 15.0
    beursvloer_pairs_per_posting: int = 3
    beursvloer_radius_km: float = 25.0
