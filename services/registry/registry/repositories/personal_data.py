"""Where the registry holds personal data, declared once; erasure is derived from this declaration.

``PERSONAL_DATA`` names every personal column of every table and what erasure leaves in it (or that the
rows go altogether); ``NOT_PERSONAL`` names every other column that could hold what a person typed (text,
dates, JSON, arrays) and why it is not personal. ``ACCOUNT_DATA`` says the same for a personal account
(keyed by the account, not a volunteer): erasing a volunteer erases their account too when it has no other
membership left. ``tests/registry/integration/test_personal_columns.py``
reads the database's catalogue and fails when a table has such a column in neither list, so a personal
field added later cannot be forgotten by erasure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from uuid import UUID

from common.db import Connection

__all__ = [
    "ACCOUNT_DATA",
    "NOT_PERSONAL",
    "PERSONAL_DATA",
    "Blank",
    "PersonalDataRepository",
    "PersonalTable",
    "PostgresPersonalDataRepository",
    "erasure_statements",
]


@dataclass(frozen=True)
class Blank:
    """What erasure leaves in a personal column: a SQL literal for the table, the same value for records."""

    sql: str
    value: Callable[[], Any]


NULL = Blank("NULL", lambda: None)
FALSE = Blank("false", lambda: False)
EMPTY_ARRAY = Blank("'{}'", list)
EMPTY_JSON_ARRAY = Blank("'[]'::jsonb", list)
EITHER = Blank("'either'", lambda: "either")  # the commitment a new volunteer starts with


@dataclass(frozen=True)
class PersonalTable:
    """A table holding personal data: which columns, whose data a row is, and what erasure does to them."""

    table: str
    person: str | None
    """The column holding the volunteer id the row is about; erasing that volunteer reaches the row.
    None: the data is not a volunteer's (erasing a volunteer leaves it)."""
    blanks: Mapping[str, Blank] = field(default_factory=dict)
    """Personal columns blanked on erasure, and what they become."""
    rows_deleted: tuple[str, ...] = ()
    """Personal columns of a table whose rows are about the person as a whole: erasure deletes the rows."""
    kept: tuple[str, ...] = ()
    """Personal columns erasure of a volunteer does not reach (``person`` is None); ``why`` says why."""
    why: str = ""

    @property
    def columns(self) -> tuple[str, ...]:
        """Every personal column of the table."""
        return (*self.blanks, *self.rows_deleted, *self.kept)


PERSONAL_DATA: tuple[PersonalTable, ...] = (
    PersonalTable(
        "volunteers",
        person="id",
        # The row stays as a pseudonymous id, so matches and hours remain as anonymous facts.
        blanks={
            "name": NULL,
            "email": NULL,
            "phone": NULL,
            "postcode": NULL,
            "birth_date": NULL,
            "guardian_name": NULL,
            "guardian_relation": NULL,
            "guardian_email": NULL,
            "guardian_token_hash": NULL,
            "guardian_token_expires_at": NULL,
            "reconfirm_asked_at": NULL,
            "reconfirm_deadline": NULL,
            "reconfirm_token_hash": NULL,
            "postcode_area": NULL,
            "age_band": NULL,
            "skills": EMPTY_ARRAY,
            "interests": EMPTY_ARRAY,
            "languages": EMPTY_ARRAY,
            "availability": EMPTY_JSON_ARRAY,
            "one_off_dates": EMPTY_ARRAY,
            "max_distance_km": NULL,
            "commitment": EITHER,
            "needs_support": FALSE,
            "target_groups": EMPTY_ARRAY,
            "regional_matching_consent": FALSE,
            "vog_verified_on": NULL,
            "vog_verified_by": NULL,  # a staff member's name, kept only as part of the volunteer's record
            "vog_valid_until": NULL,
        },
    ),
    PersonalTable(
        "volunteer_consents",
        person="volunteer_id",
        rows_deleted=("kind", "text_version", "recorded_by", "given_by_name", "given_by_relation"),
    ),
    # Who or what uses a credential, e.g. a volunteer's own label; the credential itself is revoked.
    PersonalTable("credentials", person="subject_id", blanks={"label": NULL}),
    # An SMTP server's refusal can quote the recipient's address.
    PersonalTable("appreciation_messages", person="recipient_id", blanks={"last_error": NULL}),
    # Why an organisation rejected, or someone corrected, a volunteer's hours, in their own words.
    PersonalTable("hours_changes", person="volunteer_id", blanks={"note": NULL}),
    PersonalTable("notices", person="recipient_id", blanks={"last_error": NULL}),
    # Whether a consulent mediated the volunteer's proposals states their support need (a special category).
    PersonalTable("proposals", person="volunteer_id", blanks={"needs_consulent": FALSE}),
    # What the volunteer wrote with a response: about them as a whole, so the rows go.
    PersonalTable("response_messages", person="volunteer_id", rows_deleted=("body",)),
    # What either side wrote at a check-in is about the volunteer; the answer itself stays as an anonymous fact.
    PersonalTable("check_ins", person="volunteer_id", blanks={"note": NULL}),
    # A volunteer's private calendar feed: the URL's token (as a hash) leads to their commitments.
    PersonalTable("calendar_feeds", person="owner_id", rows_deleted=("token_hash",)),
    # The other system's id of an imported volunteer leads back to their record there; its digest stays, so a
    # re-run of the import recognises the row and does not bring the erased volunteer back.
    PersonalTable("import_links", person="record_id", blanks={"external_id": NULL}),
    PersonalTable(
        "organisations",
        person=None,
        kept=("contact_name", "contact_email", "contact_phone"),
        why="the organisation's contact person, not a volunteer: kept while the organisation is registered",
    ),
    PersonalTable(
        "centrale_contacts",
        person=None,
        kept=("name", "email", "phone"),
        why="how to reach the centrale (its desk, not a volunteer): kept while the centrale exists",
    ),
    PersonalTable(
        "beurs_partner_contacts",
        person=None,
        kept=("name", "email", "phone"),
        why="a company's Beursvloer contact person, not a volunteer: kept while the company takes part",
    ),
    PersonalTable(
        "accounts",
        person=None,
        kept=("email", "name", "password_hash", "totp_secret", "totp_pending_secret"),
        why="a person's account, keyed by the account: ACCOUNT_DATA erases it when erasing a volunteer leaves it"
        " without memberships (a staff member who left keeps it, so the audit trail can still name them)",
    ),
)

# A personal account's data, keyed by the account id (``person`` names that column here).
ACCOUNT_DATA: tuple[PersonalTable, ...] = (
    PersonalTable(
        "accounts",
        person="id",
        blanks={
            "email": NULL,
            "name": NULL,
            "password_hash": NULL,
            "totp_secret": NULL,
            "totp_pending_secret": NULL,
        },
    ),
    # A session's device label.
    PersonalTable("credentials", person="account_id", blanks={"label": NULL}),
)

# Every other column that could hold text a person typed, a date or a document, and why it is not personal.
NOT_PERSONAL: Mapping[str, tuple[str, ...]] = {
    # Tenants, organisations, partners and their tasks: about organisations, not people.
    "centrales": ("id", "name", "municipality_code"),
    "organisations": ("centrale_id", "name", "kvk_number", "postcode", "postcode_area", "status", "status_reason"),
    "tasks": (
        "centrale_id",
        "title",
        "description",
        "theme",
        "skills",
        "postcode",
        "postcode_area",
        "shifts",
        "closing_date",
        "status",
        "offer",
    ),
    "business_partners": ("name",),
    "volunteer_days": (
        "external_ref",
        "on_date",
        "skills",
        "themes",
        "postcode_area",
        "centrale_id",
        "status",
        "matched_centrale_id",
        "matched_via",
    ),
    # A team's hours: counts of employees and hours, never who.
    "volunteer_day_hours": ("reported_by", "status"),
    # Partners' webhooks: a company's endpoint and signing secret; bodies carry a team day's status (organisation
    # and task names, counts), never a person; attempts keep a status code or a transport error, never a body.
    "partner_webhooks": ("url", "secret"),
    "webhook_deliveries": ("event_type", "body", "status"),
    "webhook_attempts": ("url", "error"),
    # Pseudonymous facts that stay after erasure (hours stay counted, anonymously).
    "volunteers": ("centrale_id", "registered_by"),
    "matches": ("centrale_id", "volunteer_centrale_id"),
    "hours": ("centrale_id", "worked_on", "logged_by", "status"),
    # What happened to an entry: categories, who (organisation or volunteer) and the actor's id.
    "hours_changes": ("change", "reason", "changed_by", "actor"),
    "appreciation_messages": ("recipient_kind", "centrale_id", "rule_kind", "title", "status", "reason"),
    # A centrale's own words for its thank-yous and notices, its follow-up settings, how to reach it.
    "appreciation_templates": ("centrale_id", "kind", "subject", "body"),
    "notice_templates": ("centrale_id", "kind", "subject", "body"),
    "follow_up_settings": ("centrale_id", "check_ins"),
    "centrale_contacts": ("centrale_id",),
    # The match conversation as matching reported it, and the follow-up: ids, categories and moments only.
    "proposals": (
        "centrale_id",
        "volunteer_centrale_id",
        "via",
        "status",
        "declined_by",
        "end_reason",
        "ended_by",
    ),
    "response_messages": ("written_by",),
    "check_ins": (
        "centrale_id",
        "volunteer_centrale_id",
        "step",
        "side",
        "status",
        "answer",
        "answered_by",
        "handled_by",
    ),
    # Notices keep ids and why one was not sent, never an address or text; preferences are categories.
    "notices": ("recipient_kind", "centrale_id", "kind", "delivery", "status", "reason", "called_by"),
    "notice_preferences": ("recipient_kind", "kind", "delivery"),
    # Request bookkeeping: a client's key, a hash, and the first response (ids only).
    "idempotency_keys": ("caller", "key", "request_hash", "response"),
    "credentials": ("token_hash", "role", "centrale_id", "kind"),
    # Accounts: who created them and what they may act as (roles, tenants, actors' ids), and link tokens' hashes.
    "accounts": ("created_by",),
    "memberships": ("role", "centrale_id", "created_by", "ended_by"),
    "account_links": ("token_hash", "purpose"),
    # The audit trail: ids, categories and times only (tests/registry/unit/test_registry_access_log_use_cases.py).
    "personal_data_access": ("centrale_id", "actor", "acting_centrale_id", "action", "what", "purpose"),
    # Attempt counters: SHA-256 digests of what they count, never an address or e-mail.
    "rate_limits": ("key",),
    # The vacaturebank: PC4 areas and their names, a centrale's public (organisational) contact.
    "postcode_areas": ("pc4", "place", "district"),
    "centrale_public_contacts": ("centrale_id", "email", "phone", "website"),
    "calendar_feeds": ("owner_kind", "centrale_id"),
    # Imports: which system a record came from (as the centrale named it), what kind; historic hours are
    # pseudonymous facts like hours (they stay after erasure, anonymously), keyed by the other system's entry id.
    "import_links": ("centrale_id", "source", "kind"),
    "historic_hours": ("centrale_id", "source", "external_id", "theme", "worked_on"),
    # The Beursvloer (issue 18): what companies offer and organisations ask, the evenings, the deals and their
    # follow-up; about companies and organisations. Who posted or made one is an actor's id.
    "beurs_events": ("centrale_id", "title", "place", "status"),
    "beurs_offers": (
        "centrale_id",
        "category",
        "description",
        "tags",
        "postcode_area",
        "available_until",
        "status",
        "close_reason",
        "posted_by",
    ),
    "beurs_requests": (
        "centrale_id",
        "category",
        "description",
        "tags",
        "postcode_area",
        "needed_by",
        "status",
        "close_reason",
        "posted_by",
    ),
    "beurs_pairs": ("centrale_id", "reasons"),
    "beurs_deals": (
        "centrale_id",
        "category",
        "description",
        "due_on",
        "status",
        "created_by",
        "confirmed_by",
        "partner_answer",
        "organisation_answer",
        "settled_by",
    ),
    # The kennisfunctie (issue 18): the centrale's trainings; a booking is a pseudonymous fact that stays after a
    # volunteer's erasure (like hours), with who booked, cancelled or recorded it as actors' ids.
    "trainings": (
        "centrale_id",
        "title",
        "description",
        "kind",
        "audience",
        "theme",
        "sessions",
        "place",
        "postcode_area",
        "status",
        "created_by",
    ),
    "training_bookings": ("centrale_id", "status", "booked_by", "cancelled_by", "attendance_recorded_by"),
    # Dated shifts (issue 18): what a task needs and when; a sign-up is a pseudonymous fact that stays after a
    # volunteer's erasure (like a booking), with who signed up or cancelled as actors' ids.
    "task_parts": ("centrale_id", "title"),
    "shift_patterns": ("centrale_id", "rule", "starts_on", "created_by"),
    "shifts": ("centrale_id",),
    "shift_signups": ("centrale_id", "status", "signed_up_by", "cancelled_by"),
    # The shared runtime's tables: events carry no personal data (tests/registry/integration/test_events_privacy.py).
    "outbox": ("topic", "key", "headers", "traceparent"),  # traceparent: W3C trace and span ids, nothing of a person
    "inbox": ("consumer", "event_type"),
    "job_runs": ("job", "kind", "status", "counts", "error", "requested_by"),
    "schema_migrations": ("name", "checksum"),
    # Rate-limit counters: the key is a digest of the limit and the client address, never the address.
    "rate_limit_counters": ("key",),
}


def erasure_statements(declaration: tuple[PersonalTable, ...] = PERSONAL_DATA) -> list[str]:
    """The statements that erase one volunteer (``$1``) from every table declared to hold their data.

    With ``ACCOUNT_DATA``: the statements that erase one personal account (``$1`` its id).
    """
    statements = []
    for table in declaration:
        if table.person is None:
            continue
        if table.rows_deleted:
            statements.append(f"DELETE FROM {table.table} WHERE {table.person} = $1")  # noqa: S608  (declared names)
        if table.blanks:
            assignments = ", ".join(f"{column} = {blank.sql}" for column, blank in table.blanks.items())
            statements.append(f"UPDATE {table.table} SET {assignments} WHERE {table.person} = $1")  # noqa: S608
    return statements


class PersonalDataRepository(Protocol):
    """Erasure of a volunteer's or an account's personal data, wherever the registry holds it."""

    async def erase(self, volunteer_id: UUID) -> None:
        """Blank or delete every personal column ``PERSONAL_DATA`` ties to the volunteer."""
        ...

    async def erase_account(self, account_id: UUID) -> None:
        """Blank every personal column ``ACCOUNT_DATA`` ties to the account."""
        ...


_ERASURE = erasure_statements()
_ACCOUNT_ERASURE = erasure_statements(ACCOUNT_DATA)


class PostgresPersonalDataRepository:
    """Erasure in PostgreSQL, one statement per declared table."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def erase(self, volunteer_id: UUID) -> None:
        """Blank or delete every personal column tied to the volunteer."""
        for statement in _ERASURE:
            await self._conn.execute(statement, volunteer_id)

    async def erase_account(self, account_id: UUID) -> None:
        """Blank every personal column tied to the account."""
        for statement in _ACCOUNT_ERASURE:
            await self._conn.execute(statement, account_id)
