"""Appreciation's entries in the register of processing (``common.processing``)."""

from __future__ import annotations

from common.processing import Processing

__all__ = ["PROCESSING"]

PROCESSING = (
    Processing(
        name="Hours, awards and certificates",
        data="volunteer id with age band (MDT), registration date, matches and hours; awards, certificates (hash"
        " of the document), trainings attended and volunteer allowances (vrijwilligersvergoeding) paid",
        tables=(
            "volunteers",
            "matches",
            "hours",
            "awards",
            "certificates",
            "allowances",
            "training_attendance",
            "erased_volunteers",
        ),
        purpose="appreciation (milestones, MDT), certificates and the allowance limits",
        basis="art. 6(1)(b); art. 6(1)(c) for the allowance limits (tax rules)",
        retention="until VolunteerErased: the volunteer is forgotten; awards, certificates and allowances stay as"
        " anonymous rows",
        access="the volunteer; staff of the centrale; the organisation (allowances it paid)",
    ),
    Processing(
        name="Volunteers' data keys (crypto-shredding)",
        data="volunteer id with their data key, wrapped with the region's key, as learned from the key topic",
        tables=("volunteer_keys",),
        purpose="opening the sealed volunteer profiles for the age band (MDT)",
        basis="as the data it opens: art. 6(1)(b)",
        retention="until the registry's tombstone for the key (erasure), read within seconds; a key absent from"
        " the key topic at a restart is deleted too",
        access="nobody through an API; the service's own process",
    ),
)
