"""Event payload models, one module per stream; importing this package registers every type."""

from contracts.events._base import EVENT_TYPES, Event, event_type_of
from contracts.events._common import WeeklySlot
from contracts.events.appreciation import AppreciationAwarded
from contracts.events.beursvloer import (
    BeursvloerDealFollowedUp,
    BeursvloerDealMade,
    BeursvloerOfferClosed,
    BeursvloerOfferPosted,
    BeursvloerPairProposed,
    BeursvloerRequestClosed,
    BeursvloerRequestPosted,
)
from contracts.events.credentials import CredentialIssued, CredentialRevoked
from contracts.events.history import HISTORIC_ENTRIES_PER_EVENT, HistoricHoursEntry, HistoricHoursImported
from contracts.events.hours import HoursCorrected, HoursLogged, HoursRejected
from contracts.events.matches import (
    MatchAccepted,
    MatchAgreed,
    MatchApproved,
    MatchDeclined,
    MatchEnded,
    MatchExpired,
    MatchMade,
    MatchProposed,
    VolunteerDayMatched,
)
from contracts.events.organisations import OrganisationAdmitted, OrganisationRefused, OrganisationRegistered
from contracts.events.partners import BusinessPartnerRegistered, VolunteerDayHoursLogged, VolunteerDayPosted
from contracts.events.tasks import DatedShift, TaskClosed, TaskPosted, TaskUpdated
from contracts.events.trainings import (
    TrainingAttendanceRecorded,
    TrainingCancelled,
    TrainingScheduled,
    TrainingSession,
    TrainingUpdated,
)
from contracts.events.volunteers import (
    KEY_TOPIC,
    VolunteerConsentChanged,
    VolunteerErased,
    VolunteerKeyIssued,
    VolunteerProfileUpdated,
    VolunteerRegistered,
)

__all__ = [
    "EVENT_TYPES",
    "HISTORIC_ENTRIES_PER_EVENT",
    "KEY_TOPIC",
    "AppreciationAwarded",
    "BeursvloerDealFollowedUp",
    "BeursvloerDealMade",
    "BeursvloerOfferClosed",
    "BeursvloerOfferPosted",
    "BeursvloerPairProposed",
    "BeursvloerRequestClosed",
    "BeursvloerRequestPosted",
    "BusinessPartnerRegistered",
    "CredentialIssued",
    "CredentialRevoked",
    "DatedShift",
    "Event",
    "HistoricHoursEntry",
    "HistoricHoursImported",
    "HoursCorrected",
    "HoursLogged",
    "HoursRejected",
    "MatchAccepted",
    "MatchAgreed",
    "MatchApproved",
    "MatchDeclined",
    "MatchEnded",
    "MatchExpired",
    "MatchMade",
    "MatchProposed",
    "OrganisationAdmitted",
    "OrganisationRefused",
    "OrganisationRegistered",
    "TaskClosed",
    "TaskPosted",
    "TaskUpdated",
    "TrainingAttendanceRecorded",
    "TrainingCancelled",
    "TrainingScheduled",
    "TrainingSession",
    "TrainingUpdated",
    "VolunteerConsentChanged",
    "VolunteerDayHoursLogged",
    "VolunteerDayMatched",
    "VolunteerDayPosted",
    "VolunteerErased",
    "VolunteerKeyIssued",
    "VolunteerProfileUpdated",
    "VolunteerRegistered",
    "WeeklySlot",
    "event_type_of",
]
