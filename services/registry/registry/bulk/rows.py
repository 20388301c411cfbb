"""Checking an import file's rows: each row becomes a typed record, or the problems that keep it out.

Every field of every row is checked (a row can have several problems, and every row is checked), and
a problem names the line and the field, never the value. References to other records (a task's
organisation, an hours entry's volunteer) stay the other system's ids here; the use case resolves them.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple, TypeVar

from contracts.events import WeeklySlot
from registry import domain
from registry.bulk.columns import Layout, Problem
from registry.bulk.values import (
    CellError,
    read_bool,
    read_codes,
    read_date,
    read_decimal,
    read_email,
    read_int,
    read_languages,
    read_moment,
    read_phone,
    read_slots,
)
from registry.domain import ConsentKind

__all__ = [
    "UNKNOWN_THEME",
    "ConsentCell",
    "HoursChecker",
    "HoursRow",
    "OrganisationRow",
    "RowRules",
    "TaskRow",
    "VolunteerRow",
    "check_hours",
    "check_organisation",
    "check_task",
    "check_volunteer",
    "fingerprint",
    "new_ids",
]

T = TypeVar("T")

# Hours worked before this day are not believed (a typing error in the year, most likely).
EARLIEST_DAY = date(1950, 1, 1)
_CONSENT_FIELDS = {
    "consent_matching": ConsentKind.MATCHING,
    "consent_regional_matching": ConsentKind.REGIONAL_MATCHING,
    "consent_contact_by_organisations": ConsentKind.CONTACT_BY_ORGANISATIONS,
    "consent_appreciation_messages": ConsentKind.APPRECIATION_MESSAGES,
    "consent_target_group_labels": ConsentKind.TARGET_GROUP_LABELS,
}
_COMMITMENTS = {
    **dict.fromkeys(("eenmalig", "one_off", "one-off", "los", "incidenteel"), "one_off"),
    **dict.fromkeys(("structureel", "structural", "vast", "wekelijks"), "structural"),
    **dict.fromkeys(("beide", "either", "both", "maakt_niet_uit", "maakt niet uit", "geen voorkeur"), "either"),
}
_TASK_STATUSES = {
    **dict.fromkeys(("open", "published", "gepubliceerd", "actief", "active", "online"), "published"),
    **dict.fromkeys(("concept", "draft", "nieuw", "new"), "draft"),
    **dict.fromkeys(
        ("gesloten", "closed", "vervuld", "filled", "verlopen", "expired", "afgerond", "inactief", "inactive"), "closed"
    ),
}
# The theme of hours whose file says none and that name no task.
UNKNOWN_THEME = "onbekend"


@dataclass(frozen=True)
class RowRules:
    """What checking a row needs besides the row: today (nothing may lie after it) and the import's options."""

    today: date
    consent_text_version: str | None = None
    """The version of the consent texts the other system showed, for rows that do not say."""


@dataclass(frozen=True)
class ConsentCell:
    """What a row says about one consent: given (on a day) or withdrawn, and the version of the text shown."""

    kind: ConsentKind
    granted: bool
    on: date | None
    text_version: str


@dataclass(frozen=True)
class VolunteerRow:
    """A volunteer as a file describes them."""

    line: int
    external_id: str
    name: str
    email: str | None
    phone: str | None
    postcode: str | None
    birth_date: date | None
    age_band: str | None
    skills: tuple[str, ...]
    interests: tuple[str, ...]
    languages: tuple[str, ...]
    availability: tuple[WeeklySlot, ...]
    max_distance_km: int | None
    commitment: str
    needs_support: bool
    target_groups: tuple[str, ...]
    registered_at: datetime | None
    consents: tuple[ConsentCell, ...]


@dataclass(frozen=True)
class OrganisationRow:
    """An organisation as a file describes it."""

    line: int
    external_id: str
    name: str
    formal: bool
    kvk_number: str | None
    postcode: str | None
    contact_name: str | None
    contact_email: str | None
    contact_phone: str | None
    liability_insured: bool
    free_vog_scheme: bool
    registered_at: datetime | None


@dataclass(frozen=True)
class TaskRow:
    """A task as a file describes it; ``organisation`` is the other system's id of its organisation."""

    line: int
    external_id: str
    organisation: str
    title: str
    description: str
    theme: str
    skills: tuple[str, ...]
    postcode: str | None
    hours_per_week: Decimal
    capacity: int
    vog_required: bool
    shifts: tuple[WeeklySlot, ...]
    one_off_start: datetime | None
    one_off_end: datetime | None
    closing_date: date | None
    status: str
    team_suitable: bool
    support_accessible: bool
    offer: str | None


class HoursRow(NamedTuple):
    """An hours entry as a file describes it (a tuple: a million of them are made in one import)."""

    line: int
    external_id: str
    volunteer: str
    organisation: str
    task: str
    worked_on: date
    hours: Decimal
    theme: str
    """Empty when the file does not say (the task's theme is taken then)."""


def fingerprint(row: VolunteerRow | OrganisationRow | TaskRow) -> bytes:
    """What a row says, as a digest: the same row in a later file gives the same digest (its line aside)."""
    said = tuple(getattr(row, f.name) for f in fields(row) if f.name != "line")
    return hashlib.sha256(repr(said).encode()).digest()


class _Cells:
    """One row's cells by field, and the problems found while reading them."""

    def __init__(self, line: int, cells: Sequence[str], layout: Layout) -> None:
        self.line = line
        self._cells = cells
        self._positions = layout.positions
        self.problems: list[Problem] = []

    def raw(self, field: str) -> str:
        position = self._positions.get(field)
        if position is None or position >= len(self._cells):
            return ""
        return self._cells[position].strip()

    def problem(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.line, field, message))

    def text(self, field: str, *, required: bool = False, longest: int = 200, shortest: int = 1) -> str | None:
        value = self.raw(field)
        if not value:
            if required:
                self.problem(field, "is empty")
            return None
        if len(value) > longest:
            self.problem(field, f"is longer than {longest} characters")
            return None
        if len(value) < shortest:
            self.problem(field, f"is shorter than {shortest} characters")
            return None
        return value

    def read(self, field: str, reader: Callable[[str], T], *, required: bool = False) -> T | None:
        value = self.raw(field)
        if not value:
            if required:
                self.problem(field, "is empty")
            return None
        try:
            return reader(value)
        except CellError as error:
            self.problem(field, str(error))
            return None

    def flag(self, field: str, default: bool = False) -> bool:
        value = self.read(field, read_bool)
        return default if value is None else value


def _not_after_today(cells: _Cells, field: str, day: date | None, rules: RowRules) -> None:
    if day is not None and day > rules.today:
        cells.problem(field, "lies in the future")


def _postcode(cells: _Cells) -> str | None:
    postcode = cells.raw("postcode")
    if not postcode:
        return None
    try:
        domain.postcode_area(postcode)
    except ValueError:
        cells.problem("postcode", "not a Dutch postcode like 3511 AB")
        return None
    return postcode.upper()


def _name(cells: _Cells) -> str | None:
    full = cells.text("name")
    if full is not None:
        return full
    parts = [cells.text(field) for field in ("first_name", "infix", "last_name")]
    joined = " ".join(part for part in parts if part)
    if not joined:
        cells.problem("name", "is empty")
        return None
    if len(joined) > 200:
        cells.problem("name", "is longer than 200 characters")
        return None
    return joined


def _consents(cells: _Cells, rules: RowRules, registered: datetime | None) -> list[ConsentCell]:
    given: list[ConsentCell] = []
    version = cells.text("consent_version", longest=40) or rules.consent_text_version
    for field, kind in _CONSENT_FIELDS.items():
        value = cells.raw(field)
        if not value:
            continue
        try:
            granted, on = read_bool(value), None
        except CellError:
            try:
                granted, on = True, read_date(value)
            except CellError:
                cells.problem(field, "not a day the consent was given, nor ja or nee")
                continue
        _not_after_today(cells, field, on, rules)
        if version is None:
            cells.problem(field, "says which consent, not which text was shown: add consent_version (or send one)")
            continue
        given.append(ConsentCell(kind, granted, on or (domain.dutch_date(registered) if registered else None), version))
    return given


def check_volunteer(line: int, raw: Sequence[str], layout: Layout, rules: RowRules) -> VolunteerRow | list[Problem]:
    """A volunteer's row as a record, or every problem it has."""
    cells = _Cells(line, raw, layout)
    external_id = cells.text("external_id", required=True, longest=100)
    name = _name(cells)
    email = cells.read("email", read_email)
    phone = cells.read("phone", read_phone)
    postcode = _postcode(cells)
    birth_date = cells.read("birth_date", read_date)
    age_band = None
    if birth_date is not None:
        if birth_date > rules.today:
            cells.problem("birth_date", "lies in the future")
        else:
            try:
                age_band = domain.age_band(birth_date, rules.today)
            except ValueError:
                cells.problem("birth_date", "volunteers must be at least 12 years old")
    skills = cells.read("skills", lambda text: read_codes(text, most=50)) or []
    interests = cells.read("interests", lambda text: read_codes(text, most=50)) or []
    languages = cells.read("languages", read_languages) or []
    availability = cells.read("availability", read_slots) or []
    distance = cells.read("max_distance_km", read_int)
    if distance is not None and not 0 <= distance <= 200:
        cells.problem("max_distance_km", "must lie between 0 and 200")
    commitment = "either"
    if said := cells.raw("commitment"):
        if said.lower() in _COMMITMENTS:
            commitment = _COMMITMENTS[said.lower()]
        else:
            cells.problem("commitment", "not eenmalig, structureel or beide")
    needs_support = cells.flag("needs_support")
    target_groups = cells.read("target_groups", lambda text: read_codes(text, most=10)) or []
    registered_at = cells.read("registered_at", read_moment)
    if registered_at is not None:
        _not_after_today(cells, "registered_at", registered_at.date(), rules)
    consents = _consents(cells, rules, registered_at)
    labels_consented = any(c.kind is ConsentKind.TARGET_GROUP_LABELS and c.granted for c in consents)
    if target_groups and not labels_consented:
        cells.problem("target_groups", "target-group labels need the volunteer's consent (consent_target_group_labels)")
    if cells.problems or external_id is None or name is None:
        return cells.problems
    return VolunteerRow(
        line=line,
        external_id=external_id,
        name=name,
        email=email,
        phone=phone,
        postcode=postcode,
        birth_date=birth_date,
        age_band=age_band,
        skills=tuple(skills),
        interests=tuple(interests),
        languages=tuple(languages),
        availability=tuple(availability),
        max_distance_km=distance,
        commitment=commitment,
        needs_support=needs_support,
        target_groups=tuple(target_groups),
        registered_at=registered_at,
        consents=tuple(consents),
    )


def check_organisation(
    line: int, raw: Sequence[str], layout: Layout, rules: RowRules
) -> OrganisationRow | list[Problem]:
    """An organisation's row as a record, or every problem it has."""
    cells = _Cells(line, raw, layout)
    external_id = cells.text("external_id", required=True, longest=100)
    name = cells.text("name", required=True, shortest=2)
    kvk = cells.raw("kvk_number").replace(" ", "") or None
    if kvk is not None and (len(kvk) != 8 or not kvk.isdigit()):
        cells.problem("kvk_number", "not a KvK number of 8 digits")
        kvk = None
    formal = cells.read("formal", read_bool)
    if formal is None:
        formal = kvk is not None
    elif not formal and kvk is not None:
        cells.problem("kvk_number", "an informal initiative has no KvK number (formal says nee)")
    contact_name = cells.text("contact_name")
    contact_email = cells.read("contact_email", read_email)
    contact_phone = cells.read("contact_phone", read_phone)
    if contact_name is None and (contact_email or contact_phone):
        cells.problem("contact_name", "a contact person's e-mail or phone is given without their name")
    if contact_name is not None and not cells.raw("contact_email") and not cells.raw("contact_phone"):
        cells.problem("contact_name", "a contact person needs an e-mail address or a phone number")
    postcode = _postcode(cells)
    insured = cells.flag("liability_insured")
    free_vog = cells.flag("free_vog_scheme")
    registered_at = cells.read("registered_at", read_moment)
    if registered_at is not None:
        _not_after_today(cells, "registered_at", registered_at.date(), rules)
    if cells.problems or external_id is None or name is None:
        return cells.problems
    return OrganisationRow(
        line, external_id, name, formal, kvk, postcode, contact_name, contact_email, contact_phone, insured, free_vog,
        registered_at,
    )  # fmt: skip


def check_task(line: int, raw: Sequence[str], layout: Layout, rules: RowRules) -> TaskRow | list[Problem]:
    """A task's row as a record, or every problem it has (the NOV check comes later, with its organisation)."""
    cells = _Cells(line, raw, layout)
    external_id = cells.text("external_id", required=True, longest=100)
    organisation = cells.text("organisation", required=True, longest=100)
    title = cells.text("title", required=True, shortest=3)
    description = cells.text("description", required=True, longest=5000)
    theme_codes = cells.read("theme", lambda text: read_codes(text, most=1), required=True)
    skills = cells.read("skills", lambda text: read_codes(text, most=30)) or []
    postcode = _postcode(cells)
    hours_per_week = cells.read("hours_per_week", read_decimal)
    if hours_per_week is not None and not 0 < hours_per_week <= 168:
        cells.problem("hours_per_week", "must be more than 0 and at most 168")
    capacity = cells.read("capacity", read_int)
    if capacity is not None and not 1 <= capacity <= 1000:
        cells.problem("capacity", "must lie between 1 and 1000")
    vog_required = cells.flag("vog_required")
    shifts = cells.read("shifts", read_slots) or []
    start = cells.read("one_off_start", read_moment)
    end = cells.read("one_off_end", read_moment)
    start_given, end_given = bool(cells.raw("one_off_start")), bool(cells.raw("one_off_end"))
    if start_given != end_given:
        cells.problem("one_off_start" if end_given else "one_off_end", "a one-off task needs both its start and end")
    if start is not None and end is not None and end <= start:
        cells.problem("one_off_end", "lies before the start")
    closing_date = cells.read("closing_date", read_date)
    status = "published"
    if said := cells.raw("status"):
        if said.lower() in _TASK_STATUSES:
            status = _TASK_STATUSES[said.lower()]
        else:
            cells.problem("status", "not open, concept or gesloten")
    team = cells.flag("team_suitable")
    support = cells.flag("support_accessible")
    offer = cells.text("offer", longest=1000)
    if cells.problems or not (external_id and organisation and title and description and theme_codes):
        return cells.problems
    return TaskRow(
        line, external_id, organisation, title, description, theme_codes[0], tuple(skills), postcode,
        hours_per_week if hours_per_week is not None else Decimal(0), capacity or 1, vog_required, tuple(shifts),
        start, end, closing_date, status, team, support, offer,
    )  # fmt: skip


def check_hours(line: int, raw: Sequence[str], layout: Layout, rules: RowRules) -> HoursRow | list[Problem]:
    """An hours entry's row as a record, or every problem it has.

    Written for a million rows: the usual row (every cell present and right) takes no detours.
    """
    positions = layout.positions
    width = len(raw)

    def cell(field: str) -> str:
        position = positions.get(field)
        return raw[position].strip() if position is not None and position < width else ""

    problems: list[Problem] = []
    external_id = cell("external_id")
    if not external_id:
        problems.append(Problem(line, "external_id", "is empty"))
    elif len(external_id) > 100:
        problems.append(Problem(line, "external_id", "is longer than 100 characters"))
    volunteer = cell("volunteer")
    if not volunteer:
        problems.append(Problem(line, "volunteer", "is empty"))
    organisation, task = cell("organisation"), cell("task")
    if not organisation and not task:
        problems.append(Problem(line, "organisation", "is empty (give the organisation, the task or both)"))
    worked_on: date | None = None
    day = cell("worked_on")
    if not day:
        problems.append(Problem(line, "worked_on", "is empty"))
    else:
        try:
            worked_on = read_date(day)
        except CellError as error:
            problems.append(Problem(line, "worked_on", str(error)))
        else:
            if worked_on > rules.today:
                problems.append(Problem(line, "worked_on", "lies in the future"))
            elif worked_on < EARLIEST_DAY:
                problems.append(Problem(line, "worked_on", "lies before 1950"))
    hours: Decimal | None = None
    amount = cell("hours")
    if not amount:
        problems.append(Problem(line, "hours", "is empty"))
    else:
        try:
            hours = read_decimal(amount)
        except CellError as error:
            problems.append(Problem(line, "hours", str(error)))
        else:
            if not 0 < hours <= domain.MAX_HOURS_PER_DAY:
                problems.append(Problem(line, "hours", "must be more than 0 and at most 24"))
    theme = cell("theme").lower()
    if len(theme) > 40:
        problems.append(Problem(line, "theme", "is longer than 40 characters"))
    if problems or worked_on is None or hours is None:
        return problems
    return HoursRow(line, external_id, volunteer, organisation, task, worked_on, hours, theme)


class HoursChecker:
    """Checks hours rows exactly as ``check_hours`` does, for files of a million rows.

    A day, an amount or a theme is read (and judged) once per distinct text of the file: the reference reads
    the first row with a text it has not seen, and what it accepted is kept. A row whose cells are all such
    texts, nothing missing or too long, is accepted without a detour; every other row goes through
    ``check_hours`` itself, so every problem is the reference's own (``test_registry_bulk_files.py`` checks
    that both give the same on rows with every kind of error).
    """

    def __init__(self, layout: Layout, rules: RowRules) -> None:
        self._layout, self._rules = layout, rules
        positions = layout.positions
        self._at = (
            positions["external_id"],
            positions["volunteer"],
            positions.get("organisation"),
            positions.get("task"),
            positions["worked_on"],
            positions["hours"],
            positions.get("theme"),
        )
        self._width = max(positions.values()) + 1
        self._days: dict[str, date] = {}
        self._amounts: dict[str, Decimal] = {}
        self._themes: dict[str, str] = {}

    def check(self, line: int, cells: Sequence[str]) -> HoursRow | list[Problem]:
        """The row as ``check_hours`` gives it."""
        if len(cells) >= self._width:
            at_external, at_volunteer, at_organisation, at_task, at_day, at_hours, at_theme = self._at
            external_id = cells[at_external].strip()
            volunteer = cells[at_volunteer].strip()
            organisation = cells[at_organisation].strip() if at_organisation is not None else ""
            task = cells[at_task].strip() if at_task is not None else ""
            day = self._days.get(cells[at_day].strip())
            hours = self._amounts.get(cells[at_hours].strip())
            theme = self._themes.get(cells[at_theme].strip()) if at_theme is not None else ""
            if (
                external_id and len(external_id) <= 100 and volunteer and (organisation or task)
                and day is not None and hours is not None and theme is not None
            ):  # fmt: skip
                return tuple.__new__(HoursRow, (line, external_id, volunteer, organisation, task, day, hours, theme))
        checked = check_hours(line, cells, self._layout, self._rules)
        if type(checked) is HoursRow:
            # Accepted by the reference: the same texts in later rows need no reading.
            self._days[self._cell(cells, "worked_on")] = checked.worked_on
            self._amounts[self._cell(cells, "hours")] = checked.hours
            self._themes[self._cell(cells, "theme")] = checked.theme
        return checked

    def _cell(self, cells: Sequence[str], field_name: str) -> str:
        position = self._layout.positions.get(field_name)
        return cells[position].strip() if position is not None and position < len(cells) else ""


# The variant nibble of a version-4 UUID is 8, 9, a or b: any random hex digit maps onto one of them.
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def new_ids(chunk: int = 65_536) -> Iterator[str]:
    """Random version-4 UUIDs as text, made in bulk (an import of a million rows needs a million ids)."""
    while True:
        digits = os.urandom(16 * chunk).hex()
        for start in range(0, len(digits), 32):
            h = digits[start : start + 32]
            yield f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"
