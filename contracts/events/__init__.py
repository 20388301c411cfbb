"""Event payload models, one module per stream; importing this package registers every type."""

from contracts.events._base import EVENT_TYPES, Event, event_type_of
from contracts.events._common import WeeklySlot
from contracts.events.hours import HoursLogged
from contracts.events.matches import MatchMade, VolunteerDayMatched
from contracts.events.organisations import OrganisationAdmitted, OrganisationRefused, OrganisationRegistered
from contracts.events.partners import BusinessPartnerRegistered, VolunteerDayHoursLogged, VolunteerDayPosted
from contracts.events.tasks import TaskClosed, TaskPosted, TaskUpdated
from contracts.events.volunteers import (
    VolunteerConsentChanged,
    VolunteerErased,
    VolunteerProfileUpdated,
    VolunteerRegistered,
)

__all__ = [
    "EVENT_TYPES",
    "BusinessPartnerRegistered",
    "Event",
    "HoursLogged",
    "MatchMade",
    "OrganisationAdmitted",
    "OrganisationRefused",
    "OrganisationRegistered",
    "TaskClosed",
    "TaskPosted",
    "TaskUpdated",
    "VolunteerConsentChanged",
    "VolunteerDayHoursLogged",
    "VolunteerDayMatched",
    "VolunteerDayPosted",
    "VolunteerErased",
    "VolunteerProfileUpdated",
    "VolunteerRegistered",
    "WeeklySlot",
    "event_type_of",
]
