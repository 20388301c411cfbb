"""The registry's entries in the register of processing (``common.processing``); the personal columns themselves
are declared in ``repositories.personal_data`` and every table there must be in an entry here (a test checks)."""

from __future__ import annotations

from common.processing import Processing

__all__ = ["PROCESSING"]

_UNTIL_ERASED = (
    "until erased (the volunteer, or staff on request); inactive for REGISTRY_VOLUNTEER_INACTIVE_AFTER_DAYS (730)"
    " and no answer within REGISTRY_RECONFIRM_WINDOW_DAYS (30): erased"
)

PROCESSING = (
    Processing(
        name="Registration and mediation of volunteers",
        data="name, e-mail, phone, postcode, birth date (age band), skills, interests, languages, availability,"
        " distance, VOG date (never the document), consents with text versions",
        tables=("volunteers", "volunteer_consents", "credentials", "calendar_feeds"),
        purpose="match volunteers to tasks and keep in touch about it",
        basis="consent (art. 6(1)(a)) for matching, regional matching and contact; art. 6(1)(b) for the record",
        retention=_UNTIL_ERASED,
        access="the volunteer; staff of their centrale (every access with a purpose in the audit trail); matching"
        " receives the coarse profile (PC4, age band, skills, availability; never name or contact details)",
    ),
    Processing(
        name="Special categories: target groups and support needs",
        data="self-declared target-group labels, whether the volunteer needs support; the volunteer's data key"
        " that seals them on the topics",
        tables=("volunteers", "volunteer_data_keys"),
        purpose="mediation with support; anonymous, suppressed figures for the municipality",
        basis="explicit consent (art. 9(2)(a)): labels only with the target_group_labels consent",
        retention=_UNTIL_ERASED + "; labels deleted at once when the consent is withdrawn",
        access="staff of the centrale; reporting counts them consented, aggregated and suppressed; on the topics only"
        " sealed (crypto-shredding: the key is destroyed on erasure)",
    ),
    Processing(
        name="Consent of a parent or guardian for minors (under 16)",
        data="the parent's or guardian's name, relation and e-mail address; the consent with its text version",
        tables=("volunteers", "volunteer_consents"),
        purpose="matching a minor only with their parent's or guardian's consent",
        basis="art. 8 AVG (consent for a child under 16) with art. 6(1)(a)",
        retention=_UNTIL_ERASED
        + "; the link's token hash until used or replaced (REGISTRY_GUARDIAN_LINK_LIFETIME_DAYS)",
        access="staff of the centrale; the volunteer's own export; never on a topic",
    ),
    Processing(
        name="The match conversation and follow-up",
        data="proposals and matches, hours worked, what the volunteer wrote with a response, check-in answers and"
        " notes, notices and their preferences, thank-you messages, reasons hours were corrected or rejected",
        tables=(
            "proposals",
            "matches",
            "hours",
            "response_messages",
            "check_ins",
            "notices",
            "notice_preferences",
            "appreciation_messages",
            "hours_changes",
        ),
        purpose="responding, mediation, follow-up of matches, appreciation",
        basis="art. 6(1)(b) and consent (appreciation_messages)",
        retention=_UNTIL_ERASED + "; matches and hours then stay as anonymous facts under the pseudonymous id",
        access="the volunteer; the organisation of the match (its own side); staff of the centrale",
    ),
    Processing(
        name="Personal accounts and sessions",
        data="e-mail, name, password hash, second-factor secret, logins",
        tables=("accounts", "credentials"),
        purpose="logging in and acting in a role",
        basis="art. 6(1)(b)",
        retention="until the account has no role left (erasing a volunteer ends theirs); sessions and API"
        " credentials until they expire (REGISTRY_SESSION_*, REGISTRY_API_CREDENTIAL_LIFETIME_DAYS)",
        access="the person; region ops (accounts, not passwords)",
    ),
    Processing(
        name="Audit trail of access to volunteers' records",
        data="who opened, changed or exported a record, when and why (ids and purpose only)",
        tables=("personal_data_access",),
        purpose="accountability (art. 5(2)) and the volunteer's right to know the recipients (art. 15)",
        basis="art. 6(1)(c)",
        retention="REGISTRY_AUDIT_RETENTION_DAYS (job purge-audit-trail)",
        access="the volunteer (in their export); staff of the centrale; region ops",
    ),
    Processing(
        name="Contact persons of organisations and centrales",
        data="name, e-mail and phone of the contact person",
        tables=("organisations", "centrale_contacts"),
        purpose="vetting organisations, mediation, the centrale's public contact",
        basis="art. 6(1)(f) (legitimate interest of the centrale and the organisation)",
        retention="organisations: while active; refused or without any task for"
        " REGISTRY_ORGANISATION_CONTACT_RETENTION_DAYS (730): removed (job purge-organisation-contacts)",
        access="staff of the centrale; the organisation; volunteers after a match (the go-between contact)",
    ),
    Processing(
        name="Tasks' free text",
        data="a task's description and offer (may name a person of the organisation)",
        tables=("tasks",),
        purpose="publishing the task and mediating it",
        basis="art. 6(1)(f)",
        retention="closed, filled or expired for REGISTRY_CLOSED_TASK_TEXT_RETENTION_DAYS (365): removed (job"
        " purge-closed-task-texts)",
        access="public while published (vacaturebank); staff; the organisation",
    ),
    Processing(
        name="Trainings and the Beursvloer",
        data="who booked which training and whether they attended; a company's Beursvloer contact person (name,"
        " e-mail, phone)",
        tables=("training_bookings", "beurs_partner_contacts"),
        purpose="trainings with a waiting list and certificates; brokering offers and requests on the Beursvloer",
        basis="art. 6(1)(b); art. 6(1)(f) for a company's contact person",
        retention="bookings: until the volunteer is erased (the booking stays under the pseudonymous id); a"
        " company's contact: while the company takes part",
        access="the volunteer; staff of the centrale; the company (its own contact and deals)",
    ),
    Processing(
        name="Shift sign-ups",
        data="which volunteer holds or waits for a place in which dated shift of a task",
        tables=("shift_signups",),
        purpose="filling a task's dated shifts up to their places, with a waiting list in order",
        basis="art. 6(1)(b)",
        retention="until the volunteer is erased (a sign-up stays as a fact under the pseudonymous id); sign-ups"
        " for shifts ahead are cancelled when the match ends",
        access="the volunteer; the organisation (how many places are taken, not by whom in its calendar feed);"
        " staff of the centrale",
    ),
    Processing(
        name="Imports from a centrale's former system",
        data="which record each imported row became, with the former system's id; hours from before the platform",
        tables=("import_links", "historic_hours"),
        purpose="bringing a centrale's history over once, and importing again without doubles",
        basis="art. 6(1)(b) and (f) (continuity of the centrale's records)",
        retention="until the volunteer is erased (their link's former-system id is blanked; historic hours stay"
        " as anonymous facts under the pseudonymous id)",
        access="staff of the centrale (imports and exports are audited)",
    ),
)
