"""Event payload models, one module per stream; importing this package registers every type."""

from contracts.events._base import EVENT_TYPES, Event, event_type_of
from contracts.events._common import WeeklySlot
from contracts.events.hours import HoursLogged
from contracts.events.matches import MatchMade
from contracts.events.tasks import TaskPosted
from contracts.events.volunteers import VolunteerErased, VolunteerProfileUpdated, VolunteerRegistered

__all__ = [
    "EVENT_TYPES",
    "Event",
    "HoursLogged",
    "MatchMade",
    "TaskPosted",
    "VolunteerErased",
    "VolunteerProfileUpdated",
    "VolunteerRegistered",
    "WeeklySlot",
    "event_type_of",
]
