"""Bulk import and export files, pure: formats, our columns and other systems' names for them, row checks.

Nothing here touches the database: ``files`` reads and writes CSV and xlsx, ``columns`` maps a file's header
onto our fields, ``values`` reads one cell, ``rows`` checks a row into a typed record or its problems. The
use cases (``registry.use_cases.imports`` and ``exports``) resolve references and store.
"""

from registry.bulk.columns import CATALOGUE, Field, Kind, Layout, Problem, normalise, resolve_layout
from registry.bulk.files import FileError, Format, Sheet, format_of, read_sheet, write_csv, write_xlsx
from registry.bulk.rows import (
    UNKNOWN_THEME,
    ConsentCell,
    HoursChecker,
    HoursRow,
    OrganisationRow,
    RowRules,
    TaskRow,
    VolunteerRow,
    check_hours,
    check_organisation,
    check_task,
    check_volunteer,
    fingerprint,
    new_ids,
)
from registry.bulk.values import write_slots

__all__ = [
    "CATALOGUE",
    "UNKNOWN_THEME",
    "ConsentCell",
    "Field",
    "FileError",
    "Format",
    "HoursChecker",
    "HoursRow",
    "Kind",
    "Layout",
    "OrganisationRow",
    "Problem",
    "RowRules",
    "Sheet",
    "TaskRow",
    "VolunteerRow",
    "check_hours",
    "check_organisation",
    "check_task",
    "check_volunteer",
    "fingerprint",
    "format_of",
    "new_ids",
    "normalise",
    "read_sheet",
    "resolve_layout",
    "write_csv",
    "write_slots",
    "write_xlsx",
]
