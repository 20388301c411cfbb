"""Matching entrypoint: the only place its Settings are built."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from common.service import ServiceSpec, create_service_app, run_service
from matching.config import Settings
from matching.handlers import register_handlers

__all__ = ["SPEC", "create_app", "main"]

SPEC = ServiceSpec(
    name="matching",
    migrations=Path(__file__).parent.parent / "migrations",
    register_handlers=register_handlers,
    description="Matching: explainable bemiddeling between volunteers and tasks across a region.",
)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The matching service's ASGI app."""
    return create_service_app(settings or Settings(), SPEC)


def main() -> None:
    """Run matching until SIGTERM."""
    run_service(Settings(), SPEC)
