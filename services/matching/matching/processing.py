"""Matching's entries in the register of processing (``common.processing``)."""

from __future__ import annotations

from common.processing import Processing

__all__ = ["PROCESSING"]

PROCESSING = (
    Processing(
        name="Pseudonymous profiles for matching",
        data="volunteer id with PC4 area, skills, interests, languages, availability, one-off dates, distance,"
        " commitment, needs support, consents, VOG date; never name, contact details or birth date",
        tables=("volunteers", "erased_volunteers"),
        purpose="finding fitting tasks for consenting volunteers",
        basis="consent (art. 6(1)(a)): only volunteers with matching consent are proposed",
        retention="until VolunteerErased (the profile is deleted; only the id and when it was erased stay)",
        access="matching's API: staff of the centrale, the volunteer's own proposals, organisations the"
        " proposals for their tasks",
    ),
    Processing(
        name="Proposals and the two-sided yes",
        data="proposals with scores and reasons (which describe the volunteer), gate overrides with a"
        " consulent's reason, the volunteer's agreements as a consulent recorded them",
        tables=("proposals", "gate_overrides", "volunteer_agreements"),
        purpose="mediation: proposing, responding and making matches",
        basis="consent (art. 6(1)(a))",
        retention="as long as the match is a fact; the volunteer id stays as a pseudonym after erasure",
        access="staff of the centrale; the volunteer; the organisation of the task",
    ),
    Processing(
        name="Volunteers' data keys (crypto-shredding)",
        data="volunteer id with their data key, wrapped with the region's key, as learned from the key topic",
        tables=("volunteer_keys",),
        purpose="opening the sealed volunteer profiles this service matches on (the support need too, for scoring)",
        basis="as the data it opens: explicit consent (art. 9(2)(a))",
        retention="until the registry's tombstone for the key (erasure), read within seconds; a key absent from"
        " the key topic at a restart is deleted too",
        access="nobody through an API; the service's own process",
    ),
)
