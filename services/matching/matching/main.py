"""Matching entrypoint: the only place its Settings are built."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from common.service import ServiceSpec, create_service_app, run_service
from contracts import events
from matching.api import router
from matching.config import Settings
from matching.handlers import Handlers
from matching.use_cases import Matching

__all__ = ["SPEC", "build_spec", "create_app", "main"]


def build_spec(matching: Matching) -> ServiceSpec:
    """Matching's service description, its subscribers bound to one instance's use cases."""
    return ServiceSpec(
        name="matching",
        migrations=Path(__file__).parent.parent / "migrations",
        register_handlers=Handlers(matching).register,
        routers=[router],
        publishes=[
            events.MatchProposed,
            events.MatchMade,
            events.MatchDeclined,
            events.MatchExpired,
            events.MatchEnded,
            events.VolunteerDayMatched,
        ],
        description="Explainable bemiddeling between volunteers and tasks, across a region.",
        state={"matching": matching},
    )


# For tools that describe the service (AsyncAPI); a running service builds its own in create_app.
SPEC = build_spec(Matching(Settings.model_construct()))


def create_app(settings: Settings | None = None) -> FastAPI:
    """The matching service's ASGI app."""
    settings = settings or Settings()
    return create_service_app(settings, build_spec(Matching(settings)))


def main() -> None:
    """Run matching until SIGTERM."""
    settings = Settings()
    run_service(settings, build_spec(Matching(settings)))
