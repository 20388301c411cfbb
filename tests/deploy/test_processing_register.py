"""The register of processing stays complete: every table holding a person's data is in an entry of its service,
and every table an entry names exists (read from the services' migrations and the registry's declaration)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from common.processing import SERVICES, declared, register_table
from registry.repositories.personal_data import ACCOUNT_DATA, PERSONAL_DATA

ROOT = Path(__file__).resolve().parents[2]
# A column naming the person a row is about; a table named ``volunteers`` is about them by its key.
_PERSON_COLUMNS = re.compile(r"^\s*(volunteer_id|person_key|recipient_id)\s", re.MULTILINE)
_TABLE = re.compile(r"CREATE TABLE (\w+) \((.*?)\n\);", re.DOTALL)
_ADDED = re.compile(r"ALTER TABLE (\w+)\s+ADD COLUMN (volunteer_id|person_key|recipient_id)\s")


def _tables(service: str) -> dict[str, bool]:
    """Every table of the service's migrations (and the shared runtime's), and whether it holds rows about a person.

    The runtime's ``outbox`` and ``inbox`` are left out: copies of events, covered by the retention of delivery
    records (``common.retention``) and described in the README beside the register."""
    tables: dict[str, bool] = {}
    migrations = [
        *(ROOT / "services" / service / "migrations").glob("*.sql"),
        *(ROOT / "services" / "common" / "common" / "migrations").glob("*.sql"),
    ]
    for migration in sorted(migrations):
        text = migration.read_text()
        for name, body in _TABLE.findall(text):
            tables[name] = name == "volunteers" or bool(_PERSON_COLUMNS.search(body))
        for name, _column in _ADDED.findall(text):
            tables[name] = True
    return tables


def _registered(service: str) -> set[str]:
    return {table for processing in declared(service) for table in processing.tables}


@pytest.mark.parametrize("service", SERVICES)
def test_every_table_about_a_person_is_in_the_register_and_every_named_table_exists(service: str) -> None:
    tables = _tables(service)
    registered = _registered(service)
    about_people = {name for name, personal in tables.items() if personal}
    assert about_people - registered == set(), f"{service}: tables about people missing from its PROCESSING"
    assert registered - set(tables) == set(), f"{service}: PROCESSING names tables its migrations do not create"


def test_every_table_of_the_registrys_personal_data_declaration_is_in_the_register() -> None:
    declared_tables = {table.table for table in (*PERSONAL_DATA, *ACCOUNT_DATA)}
    assert declared_tables - _registered("registry") == set()


def test_the_register_names_purpose_basis_retention_and_access_of_every_entry() -> None:
    for service in SERVICES:
        for processing in declared(service):
            assert all((processing.data, processing.purpose, processing.basis, processing.retention, processing.access))
    table = register_table()
    assert "| registry | Consent of a parent or guardian for minors (under 16) |" in table
    assert "REGISTRY_VOLUNTEER_INACTIVE_AFTER_DAYS" in table
