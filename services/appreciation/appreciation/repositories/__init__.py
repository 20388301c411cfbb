"""Appreciation's repositories: per aggregate a Protocol (what use cases may ask) and its PostgreSQL twin.

Each Postgres repository is the one place that knows its tables' columns; the fakes in
``tests/appreciation/fakes.py`` implement the same Protocols in memory, and one behaviour suite per
repository (``tests/appreciation/repositories/``) runs against both.
"""

from appreciation.repositories.allowances import AllowanceRepository, PostgresAllowanceRepository
from appreciation.repositories.awards import AwardRepository, PostgresAwardRepository
from appreciation.repositories.certificates import CertificateRepository, PostgresCertificateRepository
from appreciation.repositories.organisations import OrganisationRepository, PostgresOrganisationRepository
from appreciation.repositories.rules import (
    CentraleRepository,
    PostgresCentraleRepository,
    PostgresRuleRepository,
    RuleRepository,
)
from appreciation.repositories.trainings import PostgresTrainingRepository, TrainingRepository
from appreciation.repositories.volunteers import (
    HoursRepository,
    MatchRepository,
    PostgresHoursRepository,
    PostgresMatchRepository,
    PostgresVolunteerRepository,
    VolunteerRepository,
)

__all__ = [
    "AllowanceRepository",
    "AwardRepository",
    "CentraleRepository",
    "CertificateRepository",
    "HoursRepository",
    "MatchRepository",
    "OrganisationRepository",
    "PostgresAllowanceRepository",
    "PostgresAwardRepository",
    "PostgresCentraleRepository",
    "PostgresCertificateRepository",
    "PostgresHoursRepository",
    "PostgresMatchRepository",
    "PostgresOrganisationRepository",
    "PostgresRuleRepository",
    "PostgresTrainingRepository",
    "PostgresVolunteerRepository",
    "RuleRepository",
    "TrainingRepository",
    "VolunteerRepository",
]
