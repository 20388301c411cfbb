"""Reporting's entries in the register of processing (``common.processing``)."""

from __future__ import annotations

from common.processing import Processing

__all__ = ["PROCESSING"]

PROCESSING = (
    Processing(
        name="Facts for anonymous figures",
        data="volunteer id (a random surrogate after erasure) with PC4 area, age band, consented target groups,"
        " interests, skills and maximum distance; matches and hours as facts; derived per person for the"
        " aggregates: hours per month, MDT thresholds reached, themes and wijken within reach (supply)",
        tables=(
            "volunteer_facts",
            "match_facts",
            "hours_facts",
            "erased_volunteers",
            "person_activity",
            "mdt_crossings",
            "volunteer_supply",
        ),
        purpose="figures for the municipality and the centrales (aggregated, small cells suppressed)",
        basis="art. 6(1)(e)/(f); target groups with explicit consent (art. 9(2)(a)), counted only",
        retention="until VolunteerErased: the id is replaced by a random surrogate, so figures stay and nobody is"
        " linked (the erased id only as a hash); the derived rows follow the facts (an erased volunteer is no"
        " longer supply)",
        access="municipality readers and staff see aggregated, suppressed figures only; no row is shown",
    ),
    Processing(
        name="Volunteers' data keys (crypto-shredding)",
        data="volunteer id with their data key, wrapped with the region's key, as learned from the key topic",
        tables=("volunteer_keys",),
        purpose="opening the sealed volunteer profiles this service counts (target groups too, aggregated)",
        basis="as the data it opens: explicit consent (art. 9(2)(a))",
        retention="until the registry's tombstone for the key (erasure), read within seconds; a key absent from"
        " the key topic at a restart is deleted too",
        access="nobody through an API; the service's own process",
    ),
)
