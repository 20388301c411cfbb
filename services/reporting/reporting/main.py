"""Reporting entrypoint: the only place its Settings are built."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from common.consumer import EventConsumer
from common.service import ServiceSpec, create_service_app, run_service
from reporting.api import ROUTERS
from reporting.config import Settings
from reporting.programmes import register_programme_projections
from reporting.projections import register_projections
from reporting.rebuild import PROJECTION_TABLES, RebuildResult, rebuild_projections

__all__ = ["SPEC", "create_app", "main", "rebuild"]


def _subscribe(consumer: EventConsumer) -> None:
    """Reporting's projections: the cube's facts, and the programmes' (Beursvloer, trainings; self-contained)."""
    register_projections(consumer)
    register_programme_projections(consumer)


SPEC = ServiceSpec(
    name="reporting",
    migrations=Path(__file__).parent.parent / "migrations",
    register_handlers=_subscribe,
    routers=ROUTERS,
    # Every read model of this projection: `python -m common.ops replay reporting` empties them (offline);
    # `python -m reporting rebuild` rebuilds them into fresh tables while the service runs (reporting.rebuild).
    replay_tables=PROJECTION_TABLES,
    description="Privacy-safe aggregates for municipalities and partners, projected from events.",
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The reporting service's ASGI app."""
    return create_service_app(settings or Settings(), SPEC)


def main() -> None:
    """Run reporting until SIGTERM."""
    run_service(Settings(), SPEC)


async def rebuild(settings: Settings | None = None) -> RebuildResult:
    """Rebuild every projection from the start of the topics and switch over (the service may keep running)."""
    settings = settings or Settings()
    return await rebuild_projections(settings.database_url.get_secret_value(), settings)
