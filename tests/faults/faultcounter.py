"""The faults tier's probe service: the shared runtime with one handler that counts registrations per centrale.

Run as ``python -m faultcounter`` (with this directory on PYTHONPATH) like any service: same settings base,
service runner, consumer, inbox and shutdown as the real four. Its effect is deliberately not idempotent
(``applied + 1``), so an event applied twice shows in the count: only the inbox keeps the count exact.
The real services' read models are upserts, which would hide a double application.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from pydantic_settings import SettingsConfigDict

from common.consumer import EventConsumer
from common.service import ServiceSpec, run_service
from common.settings import ServiceSettings
from common.uow import PostgresUnitOfWork
from contracts.events import VolunteerRegistered

__all__ = ["SPEC", "Settings"]


class Settings(ServiceSettings):
    """Settings of the probe service (environment variables prefixed ``FAULTCOUNTER_``)."""

    model_config = SettingsConfigDict(env_prefix="FAULTCOUNTER_", extra="ignore", frozen=True)

    @property
    def service_name(self) -> str:
        """Name of the service."""
        return "faultcounter"


def register_handlers(consumer: EventConsumer) -> None:
    """The one projection."""
    # Extra time per event, so a fault can land mid-stream; read here and not from Settings, because the
    # ops tools load this spec without a service's settings.
    delay_s = float(os.environ.get("FAULTCOUNTER_APPLY_DELAY_S", "0"))

    async def on_volunteer_registered(event: VolunteerRegistered, uow: PostgresUnitOfWork) -> None:
        """One more registration counted for the centrale."""
        if delay_s:
            await asyncio.sleep(delay_s)
        await uow.conn.execute(
            "INSERT INTO effect_counts (centrale_id, applied) VALUES ($1, 1)"
            " ON CONFLICT (centrale_id) DO UPDATE SET applied = effect_counts.applied + 1",
            event.centrale_id,
        )

    consumer.on(VolunteerRegistered)(on_volunteer_registered)


SPEC = ServiceSpec(
    name="faultcounter",
    migrations=Path(__file__).parent / "faultcounter_migrations",
    register_handlers=register_handlers,
    replay_tables=("effect_counts",),
    description="Fault-injection probe: counts VolunteerRegistered per centrale, one increment per event.",
)

if __name__ == "__main__":
    run_service(Settings(), SPEC)
