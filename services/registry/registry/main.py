"""Registry entrypoint: the only place its Settings are built."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from common.clock import Clock
from common.consumer import EventConsumer
from common.service import ServiceSpec, create_service_app, run_service
from contracts import events
from registry import notifications
from registry.api import ROUTERS
from registry.config import Settings
from registry.handlers import register_handlers
from registry.jobs import JOBS
from registry.unit_of_work import PostgresRegistryUnitOfWork
from registry.webhooks.sender import webhook_sender

__all__ = ["SPEC", "create_app", "main"]


def _subscribe(consumer: EventConsumer) -> None:
    """The registry's subscribers: matching's outcomes, and awards that become thank-you messages."""
    register_handlers(consumer)
    notifications.register_notifications(consumer)


SPEC = ServiceSpec(
    name="registry",
    migrations=Path(__file__).parent.parent / "migrations",
    register_handlers=_subscribe,
    # Volunteer profiles (special categories too) leave sealed per volunteer (registry.data_keys, issue 16).
    seals_volunteer_profiles=True,
    routers=[*ROUTERS, notifications.router, notifications.notice_router],
    publishes=[
        events.VolunteerRegistered,
        events.VolunteerProfileUpdated,
        events.VolunteerConsentChanged,
        events.VolunteerErased,
        events.VolunteerKeyIssued,
        events.OrganisationRegistered,
        events.OrganisationAdmitted,
        events.OrganisationRefused,
        events.TaskPosted,
        events.TaskUpdated,
        events.TaskClosed,
        events.BusinessPartnerRegistered,
        events.VolunteerDayPosted,
        events.VolunteerDayHoursLogged,
        events.HoursLogged,
        events.HistoricHoursImported,
        events.HoursCorrected,
        events.HoursRejected,
        events.CredentialIssued,
        events.CredentialRevoked,
        events.BeursvloerOfferPosted,
        events.BeursvloerRequestPosted,
        events.BeursvloerOfferClosed,
        events.BeursvloerRequestClosed,
        events.BeursvloerDealMade,
        events.BeursvloerDealFollowedUp,
        events.TrainingScheduled,
        events.TrainingUpdated,
        events.TrainingCancelled,
        events.TrainingAttendanceRecorded,
    ],
    description="System of record for centrales, organisations, volunteers, tasks, partners and hours.",
    unit_of_work=PostgresRegistryUnitOfWork,
    workers=[notifications.thank_you_sender, notifications.notice_sender, webhook_sender],
    jobs=JOBS,
)


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """The registry's ASGI app (``clock``: tests of sessions, links, check-ins, reminders and jobs move time)."""
    return create_service_app(settings or Settings(), SPEC, clock=clock)


def main() -> None:
    """Run the registry until SIGTERM."""
    run_service(Settings(), SPEC)
