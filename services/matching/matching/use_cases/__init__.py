"""Matching's use cases, by capability: one async function per command, each taking ``(command, uow)``.

They never open or commit a transaction: whoever built the unit of work owns it (the consumer's batch, the
request, the job). They write state through the unit of work's repositories and their events with
``uow.emit``, so both commit together or not at all.
"""

from matching.use_cases.beursvloer import close_beurs_posting, record_beurs_posting
from matching.use_cases.overflow import offer_overflow
from matching.use_cases.proposals import (
    accept_proposal,
    agree_to_proposal,
    approve_proposal,
    decline_proposal,
    end_match,
    expire_stale_proposals,
    express_interest,
    get_mediation,
    list_centrale_proposals,
    list_task_proposals,
    list_volunteer_proposals,
    reevaluate_volunteer,
    respond_for_volunteer,
)
from matching.use_cases.read_model import (
    close_task,
    erase_volunteer,
    load_postcode_areas,
    record_posted_task,
    record_task_update,
    record_volunteer,
)
from matching.use_cases.team_days import (
    StaffTeamDay,
    assign_team_day,
    list_open_team_days,
    match_team_day,
    record_partner,
)

__all__ = [
    "StaffTeamDay",
    "accept_proposal",
    "agree_to_proposal",
    "approve_proposal",
    "assign_team_day",
    "close_beurs_posting",
    "close_task",
    "decline_proposal",
    "end_match",
    "erase_volunteer",
    "expire_stale_proposals",
    "express_interest",
    "get_mediation",
    "list_centrale_proposals",
    "list_open_team_days",
    "list_task_proposals",
    "list_volunteer_proposals",
    "load_postcode_areas",
    "match_team_day",
    "offer_overflow",
    "record_beurs_posting",
    "record_partner",
    "record_posted_task",
    "record_task_update",
    "record_volunteer",
    "reevaluate_volunteer",
    "respond_for_volunteer",
]
