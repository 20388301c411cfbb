"""What a reader gets for a scope and period: headline figures and tables (the models; ``views`` fills them)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from reporting.cube import Shown

__all__ = ["Column", "Figures", "Headline", "PeriodOut", "Row", "ScopeKind", "ScopeOut", "Table"]

ScopeKind = Literal["region", "municipality", "centrale", "partner"]


class Column(BaseModel):
    """A column: the KPI it shows."""

    key: str
    label: str
    unit: str


class Row(BaseModel):
    """A row: its key (month, district code, theme, ...), label and one value per column."""

    key: str
    label: str
    values: dict[str, Shown] = Field(description='A number, "<5" (1-4 people), "x" (hidden as complement) or null.')


class Table(BaseModel):
    """A table of a report, with its total row when the rows add up (or the period's figure)."""

    id: str
    title: str
    caption: str
    row_header: str
    columns: list[Column]
    rows: list[Row]
    total: Row | None = None


class Headline(BaseModel):
    """One KPI for the whole scope and period."""

    kpi: str
    label: str
    explanation: str
    unit: str
    value: Shown


class ScopeOut(BaseModel):
    """Whose figures these are."""

    kind: ScopeKind
    id: str
    name: str


class PeriodOut(BaseModel):
    """The period: its label, Dutch name and months."""

    label: str
    name: str
    first_month: str
    last_month: str
    months: list[str]


class Figures(BaseModel):
    """Everything a scope's reader gets for a period; small cells already hidden."""

    scope: ScopeOut
    period: PeriodOut
    generated_at: datetime
    headline: list[Headline]
    tables: list[Table]
    readings: list[str] = Field(
        default_factory=list,
        description="A municipality's supply and demand in plain Dutch sentences (empty for other scopes).",
    )

    def table(self, table_id: str) -> Table | None:
        """The table with this id, if the report has it."""
        return next((t for t in self.tables if t.id == table_id), None)
