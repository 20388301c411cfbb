"""Appreciation entrypoint: the only place its Settings are built."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from appreciation.config import Settings
from appreciation.handlers import register_handlers
from common.service import ServiceSpec, create_service_app, run_service

__all__ = ["SPEC", "create_app", "main"]

SPEC = ServiceSpec(
    name="appreciation",
    migrations=Path(__file__).parent.parent / "migrations",
    register_handlers=register_handlers,
    description="Appreciation: milestones, thanks and certificates for volunteers; never payment.",
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The appreciation service's ASGI app."""
    return create_service_app(settings or Settings(), SPEC)


def main() -> None:
    """Run appreciation until SIGTERM."""
    run_service(Settings(), SPEC)
