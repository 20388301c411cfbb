"""Reporting entrypoint: the only place its Settings are built."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from common.service import ServiceSpec, create_service_app, run_service
from reporting.api import router
from reporting.config import Settings
from reporting.projections import register_projections

__all__ = ["SPEC", "create_app", "main"]

SPEC = ServiceSpec(
    name="reporting",
    migrations=Path(__file__).parent.parent / "migrations",
    register_handlers=register_projections,
    routers=[router],
    description="Privacy-safe aggregates for municipalities and partners, projected from events.",
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The reporting service's ASGI app."""
    return create_service_app(settings or Settings(), SPEC)


def main() -> None:
    """Run reporting until SIGTERM."""
    run_service(Settings(), SPEC)
