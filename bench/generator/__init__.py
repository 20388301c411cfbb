"""Seeded synthetic region (centrales, districts, organisations, volunteers, tasks, partners) and event streams.

Everything is drawn from one ``_rng(seed)``: the same seed gives the same region, the same event
ids and the same bytes on the wire, so two runs of a benchmark consume identical data. Nothing reads the
clock or ``uuid4``. Distributions follow the public figures in DOMAIN.md where there are any (age of Dutch
volunteers, a few hours a week, NLdoet as a one-weekend spike) and plausible shapes elsewhere (a few
popular skills and many rare ones, people clustered around town centres).
"""

from bench.generator._region import (
    AGE_BANDS,
    SKILLS,
    THEMES,
    UTRECHT_WEST,
    BusinessPartner,
    Centrale,
    District,
    Match,
    MunicipalitySpec,
    Organisation,
    Region,
    Task,
    Town,
    Volunteer,
    distance_km,
    generate_region,
)
from bench.generator._streams import (
    GeneratedEvent,
    KafkaRecord,
    iter_hours_logged,
    nldoet_weekend,
    normal_month,
    region_registrations,
)

__all__ = [
    "AGE_BANDS",
    "SKILLS",
    "THEMES",
    "UTRECHT_WEST",
    "BusinessPartner",
    "Centrale",
    "District",
    "GeneratedEvent",
    "KafkaRecord",
    "Match",
    "MunicipalitySpec",
    "Organisation",
    "Region",
    "Task",
    "Town",
    "Volunteer",
    "distance_km",
    "generate_region",
    "iter_hours_logged",
    "nldoet_weekend",
    "normal_month",
    "region_registrations",
]
