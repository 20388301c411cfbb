"""The trend chart's axis counts whole people and tasks: no tick repeats another's label."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from reporting.documents import Column, Figures, PeriodOut, Row, ScopeOut, Table
from reporting.outputs.charts import trend_chart

SERIES = ("volunteers_new", "volunteers_active", "tasks_posted", "matches_made")


def _figures(peak: int) -> Figures:
    months = [f"2026-{number:02d}" for number in range(1, 13)]

    def value(month: str, series: str) -> int:
        return peak if (month, series) == ("2026-12", "tasks_posted") else 0

    rows = [Row(key=month, label=month, values={s: value(month, s) for s in SERIES}) for month in months]
    monthly = Table(
        id="monthly",
        title="Verloop per maand",
        caption="",
        row_header="Maand",
        columns=[Column(key=s, label=s, unit="people") for s in SERIES],
        rows=rows,
    )
    return Figures(
        scope=ScopeOut(kind="municipality", id="GM0344", name="Utrecht"),
        period=PeriodOut(label="2026", name="2026", first_month="2026-01", last_month="2026-12", months=months),
        generated_at=datetime(2026, 12, 6, 3, 39, tzinfo=UTC),
        headline=[],
        tables=[monthly],
    )


def _axis_labels(svg: str) -> list[str]:
    return re.findall(r'<text x="48" y="[0-9.]+" text-anchor="end">([^<]*)</text>', svg)


@pytest.mark.parametrize("peak", [1, 2, 3, 7, 40, 1234])
def test_the_axis_ticks_are_distinct_whole_numbers_from_zero(peak: int) -> None:
    labels = _axis_labels(trend_chart(_figures(peak)))

    assert labels[0] == "0"
    assert len(labels) == len(set(labels)) >= 2
    assert all(re.fullmatch(r"[0-9\u202f]+", label) for label in labels)
    assert int(labels[-1].replace("\u202f", "")) >= peak
