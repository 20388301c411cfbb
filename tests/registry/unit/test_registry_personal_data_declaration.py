"""The declaration of personal data is consistent, and erasure's statements say exactly what it declares."""

from __future__ import annotations

import re

from registry.repositories.personal_data import ACCOUNT_DATA, NOT_PERSONAL, PERSONAL_DATA, erasure_statements


def test_no_column_is_declared_both_personal_and_not() -> None:
    personal = {(t.table, column) for t in PERSONAL_DATA for column in t.columns}
    not_personal = {(table, column) for table, columns in NOT_PERSONAL.items() for column in columns}
    assert personal & not_personal == set()


def test_personal_data_a_volunteer_erasure_does_not_reach_says_why() -> None:
    for table in PERSONAL_DATA:
        if table.person is None:
            assert table.kept
            assert table.why
            assert not table.blanks
            assert not table.rows_deleted
        else:
            assert table.blanks or table.rows_deleted
            assert not table.kept


def test_erasure_blanks_or_deletes_exactly_the_declared_columns() -> None:
    statements = erasure_statements()
    blanked: dict[str, set[str]] = {}
    deleted: set[str] = set()
    for statement in statements:
        if match := re.fullmatch(r"UPDATE (\w+) SET (.+) WHERE (\w+) = \$1", statement):
            blanked[match[1]] = {part.split(" = ")[0] for part in match[2].split(", ")}
        else:
            match = re.fullmatch(r"DELETE FROM (\w+) WHERE (\w+) = \$1", statement)
            assert match is not None, statement
            deleted.add(match[1])
    assert blanked == {t.table: set(t.blanks) for t in PERSONAL_DATA if t.blanks and t.person}
    assert deleted == {t.table for t in PERSONAL_DATA if t.rows_deleted and t.person}
    assert "name" in blanked["volunteers"]
    assert "email" in blanked["volunteers"]


def test_an_accounts_erasure_blanks_every_column_the_volunteer_declaration_leaves_to_it() -> None:
    [kept] = [t for t in PERSONAL_DATA if t.table == "accounts"]
    [erased] = [t for t in ACCOUNT_DATA if t.table == "accounts"]
    assert set(kept.kept) == set(erased.blanks)
    assert erasure_statements(ACCOUNT_DATA) == [
        "UPDATE accounts SET email = NULL, name = NULL, password_hash = NULL, totp_secret = NULL,"
        " totp_pending_secret = NULL WHERE id = $1",
        "UPDATE credentials SET label = NULL WHERE account_id = $1",
    ]
