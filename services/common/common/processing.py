"""The register of processing (verwerkingsregister, AVG art. 30) declared in code, one entry per processing.

Each service declares ``PROCESSING`` in its ``<service>.processing`` module: what personal data it holds (the
tables), why, on what basis, for how long and who can see it. ``python -m common.readme_tables README.md``
renders the register into the README between ``<!-- register:start -->`` and ``<!-- register:end -->``;
``tests/deploy/test_docs.py`` fails when the README is behind, and ``tests/*/unit/test_*_processing_register.py``
fail when a table with personal data is in no entry.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Processing", "register_table"]

SERVICES = ("registry", "matching", "appreciation", "reporting")


@dataclass(frozen=True)
class Processing:
    """One processing of personal data by a service."""

    name: str
    data: str
    """The personal data, in words (categories, not column names)."""
    tables: tuple[str, ...]
    """The service's tables holding it."""
    purpose: str
    basis: str
    """The lawful basis (AVG art. 6, and art. 9 for special categories)."""
    retention: str
    """How long, with the setting or event that ends it."""
    access: str
    """Who can see it (roles), and who receives it."""


def declared(service: str) -> Sequence[Processing]:
    """The service's declared processings."""
    module = importlib.import_module(f"{service}.processing")
    processing: Sequence[Processing] = module.PROCESSING
    return processing


def register_table() -> str:
    """The register as a Markdown table: one row per processing of every service."""
    lines = [
        "| Service | Processing | Personal data | Tables | Purpose | Basis | Kept | Who sees it |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for service in SERVICES:
        for p in declared(service):
            tables = ", ".join(f"`{t}`" for t in p.tables)
            lines.append(
                f"| {service} | {p.name} | {p.data} | {tables} | {p.purpose} | {p.basis} | {p.retention} | {p.access} |"
            )
    return "\n".join(lines)
