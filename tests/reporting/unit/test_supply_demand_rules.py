"""Supply and demand's derived figures keep suppression, and its reading is plain Dutch (no servers)."""

from __future__ import annotations

from datetime import date

from reporting.documents import Column, Row, Table
from reporting.periods import Period
from reporting.supply_demand import _gap, _ratio, readings


def _table(table_id: str, rows: list[Row]) -> Table:
    return Table(id=table_id, title="t", caption="c", row_header="r", columns=[Column(key="k", label="l", unit="u")],
                 rows=rows)  # fmt: skip


def test_a_derived_figure_is_hidden_when_a_figure_it_comes_from_is() -> None:
    assert _ratio(3, 12) == 0.25
    assert _ratio("<5", 12) == "<5"  # 12 places x the ratio would give the small supply away
    assert _ratio("x", "<5") == "<5"
    assert _ratio(4, 0) is None  # no places: no ratio
    assert _gap(14, 3) == 11
    assert _gap(14, "<5") == "<5"
    assert _gap(2, 9) == 0  # more volunteers than places: no shortage


def test_the_reading_names_the_largest_gaps_the_waiting_volunteers_and_the_trend() -> None:
    gaps = _table("supply_demand_gaps", [
        Row(key="WK034405:zorg", label="Overvecht, zorg", values={"places_open": 14, "supply": 3, "gap": 11}),
        Row(key="WK034401:taal", label="Binnenstad, taal", values={"places_open": 1, "supply": "<5", "gap": "<5"}),
    ])  # fmt: skip
    waiting = _table("supply_demand_waiting", [
        Row(key="WK034402:sport", label="Oost, sport", values={"places_open": 0, "supply": 1, "gap": 0}),
    ])  # fmt: skip
    trend = _table("supply_demand_trend", [
        Row(key="2026-01", label="januari 2026", values={"places_open": 20, "supply": 10, "ratio": 0.5}),
        Row(key="2026-02", label="februari 2026", values={"places_open": 20, "supply": "<5", "ratio": "<5"}),
        Row(key="2026-03", label="maart 2026", values={"places_open": 16, "supply": 6, "ratio": 0.38}),
    ])  # fmt: skip

    assert readings([gaps, waiting, trend], "Utrecht") == [
        "In Overvecht zijn 14 plekken in zorg open en 3 passende vrijwilligers beschikbaar.",
        "In Binnenstad is 1 plek in taal open en minder dan 5 passende vrijwilligers beschikbaar.",
        "In Oost wacht 1 passende vrijwilliger op een taak in sport, maar daar staat geen plek open.",
        "In Utrecht waren er eind maart 2026 0,38 passende vrijwilligers per open plek, minder dan eind januari 2026 "
        "(0,5).",
    ]


def test_a_report_closed_before_the_section_existed_reads_nothing() -> None:
    assert readings([_table("monthly", [])], "Utrecht") == []


def test_standard_periods_are_known_by_their_months_whatever_their_label() -> None:
    assert Period.parse("2026-01..2026-03").standard_label == "2026-Q1"
    assert Period.parse("2026-07..2026-12").standard_label == "2026-H2"
    assert Period.parse("2026-01..2026-12").standard_label == "2026"
    assert Period.parse("2026-05").standard_label == "2026-05"
    assert Period.parse("2026-02..2026-04").standard_label is None
    assert Period.parse("2025-12..2026-01").standard_label is None
    assert Period("x", date(2026, 4, 1), date(2026, 6, 1)).standard_label == "2026-Q2"
