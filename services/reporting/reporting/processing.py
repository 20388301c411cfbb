"""Reporting's entries in the register of processing (``common.processing``)."""

from __future__ import annotations

from common.processing import Processing

__all__ = ["PROCESSING"]

PROCESSING = (
    Processing(
        name="Facts for anonymous figures",
        data="volunteer id (a random surrogate after erasure) with PC4 area, age band, consented target groups,"
        " interests; matches and hours as facts",
        tables=("volunteer_facts", "match_facts", "hours_facts", "erased_volunteers"),
        purpose="figures for the municipality and the centrales (aggregated, small cells suppressed)",
        basis="art. 6(1)(e)/(f); target groups with explicit consent (art. 9(2)(a)), counted only",
        retention="until VolunteerErased: the id is replaced by a random surrogate, so figures stay and nobody is"
        " linked (the erased id only as a hash)",
        access="municipality readers and staff see aggregated, suppressed figures only; no row is shown",
    ),
)
