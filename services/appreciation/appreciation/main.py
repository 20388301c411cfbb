"""Appreciation entrypoint: the only place its Settings are built."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from appreciation.api import ROUTERS
from appreciation.config import SERVICE, Settings
from appreciation.handlers import register_handlers
from appreciation.jobs import JOBS
from appreciation.unit_of_work import PostgresAppreciationUnitOfWork
from common.service import ServiceSpec, create_service_app, run_service
from contracts.events import AppreciationAwarded

__all__ = ["SPEC", "create_app", "main"]

SPEC = ServiceSpec(
    name=SERVICE,
    migrations=Path(__file__).parent.parent / "migrations",
    register_handlers=register_handlers,
    routers=ROUTERS,
    publishes=[AppreciationAwarded],
    description="Appreciation: milestones, thanks and certificates for volunteers; never payment.",
    # The facts projected from other services' events. A replay rebuilds them and re-evaluates every rule;
    # awards (deterministic ids), rules, certificates and allowances are this service's own record and stay,
    # so a replay awards nothing twice.
    replay_tables=("volunteers", "organisations", "tasks", "matches", "hours", "trainings", "training_attendance"),
    unit_of_work=PostgresAppreciationUnitOfWork,
    jobs=JOBS,
    # Opens the sealed volunteer profiles (common.keyring): the age band, for MDT.
    opens_volunteer_profiles=True,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The appreciation service's ASGI app."""
    return create_service_app(settings or Settings(), SPEC)


def main() -> None:
    """Run appreciation until SIGTERM."""
    run_service(Settings(), SPEC)
