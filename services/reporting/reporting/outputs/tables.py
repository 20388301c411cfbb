"""CSV exports: every figure of a report as one line, suppression markers as shown."""

from __future__ import annotations

import csv
import io

from reporting.accountability import PeriodReport
from reporting.views import Figures

__all__ = ["figures_csv", "report_csv"]

_HEADER = ["scope", "period", "table", "row_key", "row", "column_key", "column", "value"]


def _lines(figures: Figures) -> list[list[object]]:
    scope, period = f"{figures.scope.kind}:{figures.scope.id}", figures.period.label
    lines: list[list[object]] = [
        [scope, period, "headline", "", "", item.kpi, item.label, item.value] for item in figures.headline
    ]
    for table in figures.tables:
        labels = {column.key: column.label for column in table.columns}
        for row in [*table.rows, *([table.total] if table.total else [])]:
            for key, value in row.values.items():
                lines.append([scope, period, table.id, row.key, row.label, key, labels.get(key, key), value])
    return lines


def _write(rows: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_HEADER)
    # None (no value, e.g. a median over no tasks) is an empty field; "<5" and "x" stay as they are.
    writer.writerows([["" if value is None else value for value in row] for row in rows])
    return buffer.getvalue()


def figures_csv(figures: Figures) -> str:
    """A scope's figures as CSV (one line per cell)."""
    return _write(_lines(figures))


def report_csv(report: PeriodReport) -> str:
    """A period report as CSV: the agreed targets with their actuals first, then every figure."""
    scope = f"municipality:{report.municipality_code}"
    period = report.figures.period.label
    lines: list[list[object]] = []
    for target in report.targets:
        row_key = target.kpi + (f"@{target.district}" if target.district else "")
        lines.append([scope, period, "targets", row_key, target.label, "target", "Afspraak", target.target])
        lines.append([scope, period, "targets", row_key, target.label, "actual", "Gerealiseerd", target.actual])
    return _write(lines + _lines(report.figures))
