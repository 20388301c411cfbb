"""Matching entrypoint: the only place its Settings are built."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from common.clock import Clock
from common.service import ServiceSpec, create_service_app, run_service
from contracts import events
from matching import handlers
from matching.api import ROUTERS
from matching.candidates import CandidateIndexCache
from matching.config import Settings
from matching.domain.policy import MatchingPolicy
from matching.jobs import JOBS
from matching.unit_of_work import matching_unit_of_work

__all__ = ["SPEC", "build_spec", "create_app", "main", "policy_of"]


def policy_of(settings: Settings) -> MatchingPolicy:
    """The numbers matching decides by, from its settings."""
    return MatchingPolicy(
        proposals_per_task=settings.proposals_per_task,
        max_open_commitments=settings.max_open_commitments,
        proposal_ttl=timedelta(days=settings.proposal_ttl_days),
        overflow_after=timedelta(days=settings.overflow_after_days),
        team_day_radius_km=settings.team_day_radius_km,
        beursvloer_pairs_per_posting=settings.beursvloer_pairs_per_posting,
        beursvloer_radius_km=settings.beursvloer_radius_km,
    )


def build_spec(settings: Settings) -> ServiceSpec:
    """Matching's service description; its units of work share this instance's candidate index."""
    return ServiceSpec(
        name="matching",
        migrations=Path(__file__).parent.parent / "migrations",
        register_handlers=handlers.register,
        # `python -m common.ops replay matching` rebuilds the volunteers read model from the profile stream (after
        # an erasure, say); profiles produced before the replay are stored without proposing anyone again. Its
        # tasks are not replayed: their rows carry matching's own decisions (team-day reservations).
        replay_tables=("volunteers",),
        replay_topics=("registry.volunteers.v1",),
        replay_horizon=True,
        # Opens the sealed volunteer profiles (common.keyring): area, skills, availability, consents, support need.
        opens_volunteer_profiles=True,
        routers=ROUTERS,
        publishes=[
            events.MatchProposed,
            events.MatchApproved,
            events.MatchAccepted,
            events.MatchAgreed,
            events.MatchMade,
            events.MatchDeclined,
            events.MatchExpired,
            events.MatchEnded,
            events.VolunteerDayMatched,
            events.BeursvloerPairProposed,
        ],
        description="Explainable bemiddeling between volunteers and tasks, across a region.",
        unit_of_work=matching_unit_of_work(CandidateIndexCache(), policy_of(settings)),
        jobs=JOBS,
    )


# For tools that describe the service (AsyncAPI); a running service builds its own in create_app.
SPEC = build_spec(Settings.model_construct())


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """The matching service's ASGI app; ``clock``: tests of time-driven work (expiry, overflow)."""
    settings = settings or Settings()
    return create_service_app(settings, build_spec(settings), clock=clock)


def main() -> None:
    """Run matching until SIGTERM."""
    settings = Settings()
    run_service(settings, build_spec(settings))
