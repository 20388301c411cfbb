"""Repositories: a Protocol per aggregate for the use cases, and the PostgreSQL class that knows its columns."""

from matching.repositories.beursvloer import BeursvloerRepository, PostgresBeursvloerRepository
from matching.repositories.mediation import MediationRepository, PostgresMediationRepository
from matching.repositories.postcode_areas import PostcodeAreaRepository, PostgresPostcodeAreaRepository
from matching.repositories.proposals import PostgresProposalRepository, ProposalRepository
from matching.repositories.tasks import PostgresTaskRepository, TaskRepository
from matching.repositories.volunteer_days import (
    PartnerRepository,
    PostgresPartnerRepository,
    PostgresVolunteerDayRepository,
    VolunteerDayRepository,
)
from matching.repositories.volunteers import PostgresVolunteerRepository, VolunteerChanges, VolunteerRepository

__all__ = [
    "BeursvloerRepository",
    "MediationRepository",
    "PartnerRepository",
    "PostcodeAreaRepository",
    "PostgresBeursvloerRepository",
    "PostgresMediationRepository",
    "PostgresPartnerRepository",
    "PostgresPostcodeAreaRepository",
    "PostgresProposalRepository",
    "PostgresTaskRepository",
    "PostgresVolunteerDayRepository",
    "PostgresVolunteerRepository",
    "ProposalRepository",
    "TaskRepository",
    "VolunteerChanges",
    "VolunteerDayRepository",
    "VolunteerRepository",
]
