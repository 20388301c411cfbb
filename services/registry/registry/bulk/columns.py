"""Our columns per kind of record, the names other systems give them, and how a file's header maps onto them.

A file's columns are matched to ours by an explicit mapping sent with the upload (``{"their column": "our
field"}``, or ``null`` to ignore one), then by the Dutch and English names each field is known by (case,
spaces, dashes and underscores do not matter: ``Geboorte datum`` is ``geboorte_datum``). Columns nobody
claims are ignored and listed in the report. Exports write our own field names, so an export imports again.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["CATALOGUE", "Field", "Kind", "Layout", "Problem", "normalise", "resolve_layout"]


class Kind(StrEnum):
    """What an import file holds."""

    VOLUNTEERS = "volunteers"
    ORGANISATIONS = "organisations"
    TASKS = "tasks"
    HOURS = "hours"


@dataclass(frozen=True)
class Problem:
    """Why a row (or the header, line 1) cannot be imported: its line, our field, what is wrong (no values)."""

    line: int
    field: str
    message: str


@dataclass(frozen=True)
class Field:
    """One of our fields: its name, the other names it is known by, and whether a file must have it."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    description: str = ""


def normalise(header: str) -> str:
    """A header as compared: lower case, no accents, runs of spaces, dashes, dots and underscores one ``_``."""
    folded = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[\s\-_.:/()]+", "_", folded).strip("_")


_CONSENTS = (
    ("consent_matching", ("toestemming_bemiddeling", "toestemming_matching"), "matching"),
    ("consent_regional_matching", ("toestemming_regionaal", "toestemming_regio"), "regional matching"),
    ("consent_contact_by_organisations", ("toestemming_contact", "toestemming_contact_organisaties"), "contact"),
    ("consent_appreciation_messages", ("toestemming_waardering", "toestemming_bedankjes"), "thank-you messages"),
    ("consent_target_group_labels", ("toestemming_doelgroepen", "toestemming_doelgroep"), "target-group labels"),
)

CATALOGUE: Mapping[Kind, tuple[Field, ...]] = {
    Kind.VOLUNTEERS: (
        Field("external_id", ("id", "extern_id", "vrijwilliger_id", "vrijwilligersnummer", "relatienummer", "nummer",
                              "volunteer_id", "number", "code"), True, "the other system's id of the volunteer"),
        Field("name", ("naam", "volledige_naam", "full_name"), description="full name (or first/infix/last name)"),
        Field("first_name", ("voornaam", "roepnaam", "given_name")),
        Field("infix", ("tussenvoegsel", "tussenvoegsels")),
        Field("last_name", ("achternaam", "familienaam", "surname", "family_name")),
        Field("email", ("e_mail", "emailadres", "e_mailadres", "mail", "email_address")),
        Field("phone", ("telefoon", "telefoonnummer", "mobiel", "mobiel_nummer", "phone_number", "mobile")),
        Field("postcode", ("postal_code", "zip", "zipcode", "zip_code")),
        Field("birth_date", ("geboortedatum", "geboorte_datum", "date_of_birth", "dob")),
        Field("skills", ("vaardigheden", "kwaliteiten")),
        Field("interests", ("interesses", "themas", "thema_s", "interesse")),
        Field("languages", ("talen", "taal", "language")),
        Field("availability", ("beschikbaarheid", "beschikbaar")),
        Field("max_distance_km", ("max_afstand_km", "max_afstand", "maximale_afstand", "max_distance", "afstand")),
        Field("commitment", ("voorkeur", "inzet", "soort_inzet")),
        Field("needs_support", ("begeleiding", "begeleiding_nodig", "ondersteuning", "support")),
        Field("target_groups", ("doelgroepen", "doelgroep", "target_group")),
        Field("registered_at", ("ingeschreven_op", "inschrijfdatum", "aangemeld_op", "aanmelddatum",
                                "registration_date", "registered_on")),
        *(Field(name, aliases, description=f"consent to {what}: the day given, ja or nee") for name, aliases, what
          in _CONSENTS),
        Field("consent_version", ("toestemming_versie", "versie_toestemming", "consent_text_version")),
    ),
    Kind.ORGANISATIONS: (
        Field("external_id", ("id", "extern_id", "organisatie_id", "relatienummer", "nummer", "organisation_id",
                              "number", "code"), True, "the other system's id of the organisation"),
        Field("name", ("naam", "organisatie", "organisatienaam", "organisation", "organisation_name"), True),
        Field("formal", ("formeel", "rechtspersoon")),
        Field("kvk_number", ("kvk", "kvk_nummer", "kvknummer", "coc_number", "chamber_of_commerce")),
        Field("postcode", ("postal_code", "zip", "zipcode")),
        Field("contact_name", ("contactpersoon", "contact", "naam_contactpersoon", "contact_person")),
        Field("contact_email", ("e_mail_contactpersoon", "email_contactpersoon", "contact_e_mail", "e_mail", "email")),
        Field("contact_phone", ("telefoon_contactpersoon", "contact_telefoon", "telefoon", "phone")),
        Field("liability_insured", ("verzekerd", "aansprakelijkheidsverzekering", "wa_verzekerd", "insured")),
        Field("free_vog_scheme", ("gratis_vog", "regeling_gratis_vog")),
        Field("registered_at", ("ingeschreven_op", "aangemeld_op", "aanmelddatum", "registration_date")),
    ),
    Kind.TASKS: (
        Field("external_id", ("id", "extern_id", "taak_id", "vacature_id", "vacaturenummer", "nummer", "task_id",
                              "number", "code"), True, "the other system's id of the task"),
        Field("organisation", ("organisatie_id", "organisatie", "organisation_id"), True,
              "the other system's id of its organisation (imported before)"),
        Field("title", ("titel", "vacaturetitel", "naam", "vacature"), True),
        Field("description", ("omschrijving", "beschrijving", "tekst"), True),
        Field("theme", ("thema", "categorie", "category", "sector"), True),
        Field("skills", ("vaardigheden", "gevraagde_vaardigheden")),
        Field("postcode", ("postal_code", "zip", "locatie_postcode")),
        Field("hours_per_week", ("uren_per_week", "uur_per_week", "uren_week")),
        Field("capacity", ("aantal", "aantal_vrijwilligers", "capaciteit", "plaatsen")),
        Field("vog_required", ("vog", "vog_nodig", "vog_verplicht")),
        Field("shifts", ("diensten", "rooster", "tijden", "wanneer")),
        Field("one_off_start", ("start", "begin", "startdatum", "datum_start", "start_at")),
        Field("one_off_end", ("eind", "einde", "einddatum", "datum_eind", "end", "end_at")),
        Field("closing_date", ("sluitingsdatum", "reageren_tot", "deadline")),
        Field("status", ("staat",), description="open/published, concept/draft or gesloten/closed"),
        Field("team_suitable", ("team_geschikt", "geschikt_voor_teams", "teamuitje")),
        Field("support_accessible", ("geschikt_voor_begeleiding", "toegankelijk", "begeleiding_mogelijk")),
        Field("offer", ("aanbod", "wat_bieden_wij", "wij_bieden")),
    ),
    Kind.HOURS: (
        Field("external_id", ("id", "extern_id", "uren_id", "registratie", "registratie_id", "registratienummer",
                              "hours_id", "entry_id", "nummer"), True, "the other system's id of the hours entry"),
        Field("volunteer", ("vrijwilliger_id", "vrijwilliger", "vrijwilligersnummer", "volunteer_id"), True,
              "the other system's id of the volunteer (imported before)"),
        Field("organisation", ("organisatie_id", "organisatie", "organisation_id"),
              description="the other system's id of the organisation; may be left out when a task is given"),
        Field("task", ("taak_id", "taak", "vacature_id", "vacature", "task_id")),
        Field("worked_on", ("datum", "gewerkt_op", "werkdatum", "date", "dag"), True),
        Field("hours", ("uren", "aantal_uren", "uur", "duur"), True),
        Field("theme", ("thema", "categorie", "category")),
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Layout:
    """Where each of our fields is in a file: its column index; the header names claimed and ignored."""

    kind: Kind
    positions: Mapping[str, int]
    claimed: Mapping[str, str]
    """Each of the file's headers used, and the field it fills."""
    ignored: tuple[str, ...]

    def has(self, field: str) -> bool:
        """Whether the file has a column for ``field``."""
        return field in self.positions


def resolve_layout(
    kind: Kind, headers: Sequence[str], mapping: Mapping[str, str | None] | None = None
) -> tuple[Layout, list[Problem]]:
    """Match the file's headers to our fields: the given mapping first, then the known names; header problems."""
    fields = {field.name: field for field in CATALOGUE[kind]}
    known = {normalise(alias): field.name for field in CATALOGUE[kind] for alias in (field.name, *field.aliases)}
    mapping = mapping or {}
    by_name = {normalise(their): ours for their, ours in mapping.items()}
    problems: list[Problem] = []
    normalised = [normalise(header) for header in headers]
    for their, ours in mapping.items():
        if normalise(their) not in normalised:
            problems.append(Problem(1, ours or their, "the mapping names a column the file does not have"))
        elif ours is not None and ours not in fields:
            problems.append(Problem(1, ours, f"is not a field of an import of {kind.value}"))
    positions: dict[str, int] = {}
    claimed: dict[str, str] = {}
    ignored: list[str] = []
    for index, (header, name) in enumerate(zip(headers, normalised, strict=True)):
        if not name:
            continue
        ours = by_name[name] if name in by_name else known.get(name)
        if ours is None or ours not in fields:
            ignored.append(header)
            continue
        if ours in positions:
            problems.append(Problem(1, ours, "two columns of the file fill this field"))
            continue
        positions[ours] = index
        claimed[header] = ours
    for field in fields.values():
        if field.required and field.name not in positions:
            problems.append(Problem(1, field.name, "the file has no column for this field (map one of its columns)"))
    if kind is Kind.VOLUNTEERS and "name" not in positions and "last_name" not in positions:
        problems.append(Problem(1, "name", "the file has no column for the name (name, or last_name)"))
    if kind is Kind.HOURS and "organisation" not in positions and "task" not in positions:
        problems.append(Problem(1, "organisation", "the file has no column for the organisation (or the task)"))
    return Layout(kind, positions, claimed, tuple(ignored)), problems
