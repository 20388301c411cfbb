"""Fixed texts and choices the pages share: consent texts (with their version), weekdays, day parts, reasons."""

from __future__ import annotations

from datetime import date

from portal.i18n import N_

__all__ = [
    "CHECK_IN_ANSWERS",
    "COMMITMENTS",
    "CONSENTS",
    "CONSENT_TEXT_VERSION",
    "DAY_PARTS",
    "END_REASONS",
    "SHIFT_REPEATS",
    "SIGNUP_STATUSES",
    "WEEKDAYS",
    "shift_rule",
]

# The version of the consent texts below; the registry records it with every consent given or withdrawn.
CONSENT_TEXT_VERSION = "2026-01"

# kind → (title, the text the person agrees to). Shown in full where a consent is given or withdrawn.
CONSENTS: dict[str, tuple[str, str]] = {
    "matching": (
        N_("Matching"),
        N_(
            "The volunteer centre may use what you can, may and want (skills, interests, languages, when you are "
            "available, your postcode area and age group) to propose volunteer work to you. Without this consent "
            "you get no proposals."
        ),
    ),
    "contact_by_organisations": (
        N_("Contact by organisations"),
        N_(
            "When you and an organisation both said yes to a task, the organisation may see your name, e-mail "
            "address and phone number to contact you. Without this consent the centre passes messages on."
        ),
    ),
    "regional_matching": (
        N_("Work in the whole region"),
        N_(
            "Volunteer centres of neighbouring municipalities in this region may propose their work to you too. "
            "They see only what matching needs, never your name or address."
        ),
    ),
    "appreciation_messages": (
        N_("Thank-you messages"),
        N_("The volunteer centre may e-mail you a thank-you when you reach a milestone, like your first 25 hours."),
    ),
    "target_group_labels": (
        N_("Target groups in figures"),
        N_(
            "What you tell us about a target group you belong to may be counted, anonymously and only in totals of "
            "at least five people, in reports to the municipality."
        ),
    ),
}

# ISO weekday (1 = Monday) → name; the registry's availability slots use these numbers.
WEEKDAYS: dict[int, str] = {
    1: N_("Monday"),
    2: N_("Tuesday"),
    3: N_("Wednesday"),
    4: N_("Thursday"),
    5: N_("Friday"),
    6: N_("Saturday"),
    7: N_("Sunday"),
}

# How an organisation says how often a shift comes back → the RFC 5545 rule's frequency, interval and week of
# the month (the registry takes the rule; people never have to write one).
SHIFT_REPEATS: dict[str, str] = {
    "weekly": N_("every week"),
    "fortnightly": N_("every other week"),
    "monthly-1": N_("the first of the month"),
    "monthly-2": N_("the second of the month"),
    "monthly-3": N_("the third of the month"),
    "monthly-last": N_("the last of the month"),
}
_RULE_PARTS = {
    "weekly": ("WEEKLY", 1, ""),
    "fortnightly": ("WEEKLY", 2, ""),
    "monthly-1": ("MONTHLY", 1, "1"),
    "monthly-2": ("MONTHLY", 1, "2"),
    "monthly-3": ("MONTHLY", 1, "3"),
    "monthly-last": ("MONTHLY", 1, "-1"),
}
_RRULE_DAYS = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}

SIGNUP_STATUSES: dict[str, str] = {
    "signed_up": N_("You are signed up"),
    "waiting": N_("You are on the waiting list"),
}


def shift_rule(repeat: str, weekday: int, until: date | None) -> str:
    """The RRULE for "``repeat`` on ``weekday``" (ISO weekday), ending on ``until`` when given."""
    frequency, interval, week = _RULE_PARTS[repeat]
    rule = f"FREQ={frequency};{'INTERVAL=2;' if interval == 2 else ''}BYDAY={week}{_RRULE_DAYS[weekday]}"
    return rule + (f";UNTIL={until:%Y%m%d}" if until else "")


# Day part → (name, start, end): how a person says when they can, turned into the registry's time slots.
DAY_PARTS: dict[str, tuple[str, str, str]] = {
    "ochtend": (N_("morning"), "09:00", "12:00"),
    "middag": (N_("afternoon"), "13:00", "17:00"),
    "avond": (N_("evening"), "18:00", "21:00"),
}

COMMITMENTS: dict[str, str] = {
    "either": N_("both one-off and structural"),
    "one_off": N_("one-off only"),
    "structural": N_("structural only"),
}

END_REASONS: dict[str, str] = {
    "moved": N_("moved away"),
    "no_time": N_("no time any more"),
    "not_a_fit": N_("it does not fit"),
    "task_ended": N_("the task has ended"),
    "other": N_("another reason"),
}

CHECK_IN_ANSWERS: dict[str, str] = {
    "good": N_("It is going well"),
    "doubts": N_("I have doubts"),
    "stopping": N_("I want to stop"),
}

PROPOSAL_STATUSES: dict[str, str] = {
    "proposed": N_("waiting for your answer"),
    "approved": N_("approved by the consulent, waiting for your answer"),
    "accepted": N_("the organisation said yes, waiting for your answer"),
    "agreed": N_("you said yes, waiting for the organisation"),
    "made": N_("match made"),
    "declined": N_("declined"),
    "expired": N_("expired"),
    "ended": N_("ended"),
}


# A proposal's status as the organisation (or the consulent) reads it.
PROPOSAL_STATUSES_ORG: dict[str, str] = {
    "proposed": N_("proposed, waiting for your answer"),
    "approved": N_("approved by the consulent, waiting for your answer"),
    "accepted": N_("you said yes, waiting for the volunteer"),
    "agreed": N_("the volunteer said yes, waiting for yours"),
    "made": N_("match made"),
    "declined": N_("declined"),
    "expired": N_("expired"),
    "ended": N_("ended"),
}

TASK_STATUSES: dict[str, str] = {
    "draft": N_("draft"),
    "published": N_("published"),
    "filled": N_("filled"),
    "closed": N_("closed"),
    "expired": N_("expired"),
}

WARNING_REASONS: dict[str, str] = {
    "doubts": N_("Doubts about the match"),
    "stopping": N_("Wants to stop"),
    "unanswered": N_("Check-in not answered"),
}

AGREEMENT_HOW: dict[str, str] = {
    "in_person": N_("in person"),
    "phone": N_("by phone"),
    "email": N_("by e-mail"),
    "letter": N_("by letter"),
    "other": N_("otherwise"),
}

GATES: dict[str, str] = {
    "support": N_("Support: the task does not say it suits people who need support"),
    "availability": N_("Availability: the times do not overlap"),
    "distance": N_("Distance: further than the volunteer wants to travel"),
    "commitments": N_("Commitments: the volunteer already has the most open commitments"),
}

CHART_NAMES: dict[str, str] = {
    "trends": N_("Trends per month"),
    "hours-by-theme": N_("Hours by theme"),
    "gaps-by-district": N_("Gaps by district: tasks open and volunteers waiting"),
    "supply-demand": N_("Supply and demand by theme: open places and fitting volunteers"),
    "top-gaps": N_("Largest shortages by district and theme"),
}

ORGANISATION_STATUSES: dict[str, str] = {
    "pending": N_("to vet"),
    "admitted": N_("admitted"),
    "refused": N_("refused"),
}

# A team day's status in the registry: open until matching finds a task for the whole team.
DAY_STATUSES: dict[str, str] = {
    "open": N_("looking for a task"),
    "matched": N_("task found"),
}

# The audit trail of a volunteer's record: who (kind), did what to which part, why.
ACCESS_KINDS: dict[str, str] = {"account": N_("a person"), "credential": N_("a system"), "region_ops": N_("region ops")}
ACCESS_ACTIONS: dict[str, str] = {
    "create": N_("created"),
    "read": N_("read"),
    "export": N_("exported"),
    "change": N_("changed"),
    "erase": N_("erased"),
}
ACCESS_WHATS: dict[str, str] = {
    "record": N_("the record"),
    "export": N_("everything"),
    "profile": N_("the profile"),
    "consent": N_("a consent"),
    "vog": N_("the VOG"),
    "credential": N_("a credential"),
    "account": N_("the account"),
}
ACCESS_PURPOSES: dict[str, str] = {
    "intake": N_("intake"),
    "mediation": N_("mediation"),
    "follow_up": N_("follow-up"),
    "profile_update": N_("profile update"),
    "vog_check": N_("VOG check"),
    "export_request": N_("export request"),
    "erasure_request": N_("erasure request"),
    "account_support": N_("account support"),
    "appreciation": N_("appreciation"),
    "other": N_("other"),
}

NOTICE_KINDS: dict[str, str] = {
    "proposal_new": N_("A new proposal"),
    "response_new": N_("A new response"),
    "accepted": N_("The other side said yes"),
    "match_made": N_("A match is made"),
    "declined": N_("A proposal is declined"),
    "check_in": N_("A check-in: how is it going?"),
    "vog_expiring": N_("Your VOG expires soon"),
    "proposal_unanswered": N_("A proposal waits for an answer"),
}


def availability_slots(form_values: list[str]) -> list[dict[str, object]]:
    """``"2-ochtend"`` choices → the registry's weekly slots ``{"weekday": 2, "start": "09:00", "end": "12:00"}``."""
    slots = []
    for value in form_values:
        day, _, part = value.partition("-")
        if day.isdigit() and int(day) in WEEKDAYS and part in DAY_PARTS:
            _, start, end = DAY_PARTS[part]
            slots.append({"weekday": int(day), "start": start, "end": end})
    return slots


def availability_choices(slots: list[dict[str, object]]) -> list[str]:
    """The registry's weekly slots back as the form's ``"2-ochtend"`` choices (slots overlapping a part)."""
    chosen = []
    for slot in slots:
        for part, (_, start, end) in DAY_PARTS.items():
            if str(slot.get("start", "")) < end and str(slot.get("end", "")) > start:
                chosen.append(f"{slot.get('weekday')}-{part}")
    return chosen
