"""Registry entrypoint: the only place its Settings are built."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from common.service import ServiceSpec, create_service_app, run_service
from contracts.events import VolunteerRegistered
from registry.api import router
from registry.config import Settings

__all__ = ["SPEC", "create_app", "main"]

SPEC = ServiceSpec(
    name="registry",
    migrations=Path(__file__).parent.parent / "migrations",
    routers=[router],
    publishes=[VolunteerRegistered],
    description="System of record for centrales, organisations, volunteers, tasks, partners and hours.",
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The registry's ASGI app."""
    return create_service_app(settings or Settings(), SPEC)


def main() -> None:
    """Run the registry until SIGTERM."""
    run_service(Settings(), SPEC)
