"""Outputs: CSV, SVG charts and the HTML report page (semantic, accessible, printable), and the export command."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from reporting.export import configure, export_report
from reporting.outputs.charts import INK, PALETTE
from tests.reporting.integration.conftest import Scenario

pytestmark = pytest.mark.integration

REPORT = "/v1/municipalities/GM0344/reports/2026-Q1"
SVG = "{http://www.w3.org/2000/svg}"


def contrast(foreground: str, background: str) -> float:
    """WCAG 2.1 contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


class _Page(HTMLParser):
    """Collects what the accessibility checks look at."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.start: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[int] = []
        self.ids: set[str] = set()
        self.problems: list[str] = []
        self._table_first: bool = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.start.append((tag, attributes))
        if attributes.get("id"):
            self.ids.add(str(attributes["id"]))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if self._table_first and tag != "caption":
            self.problems.append("a table without a caption first")
        self._table_first = tag == "table"
        if tag == "th" and attributes.get("scope") not in ("col", "row"):
            self.problems.append("a th without scope")
        if tag == "img" and not attributes.get("alt"):
            self.problems.append("an img without alt")
        if tag == "svg" and attributes.get("role") != "img":
            self.problems.append("an svg without role=img")
        if tag not in ("br", "meta", "line", "rect", "circle", "polygon", "polyline"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()


async def test_the_html_report_is_semantic_accessible_and_printable(scenario: Scenario) -> None:
    response = await scenario.reporting.http.get(f"{REPORT}/report.html", headers=scenario.reporting.ops)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    page = _Page()
    page.feed(html)

    assert page.problems == []
    assert ("html", {"lang": "nl"}) in page.start
    assert page.headings.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:], strict=False)), page.headings
    assert {"header", "nav", "main", "footer", "section", "figure", "figcaption", "caption"} <= {
        t for t, _ in page.start
    }
    assert ("a", {"class": "skip", "href": "#inhoud"}) in page.start
    assert "inhoud" in page.ids
    # Every chart names its title and description, which exist, and is followed by its data table.
    labelled = [attrs["aria-labelledby"] for tag, attrs in page.start if tag == "svg"]
    assert len(labelled) == 5  # trends, hours by theme, gaps, supply and demand by theme, the largest gaps
    assert all(part in page.ids for ids in labelled for part in str(ids).split())
    assert "<title>Vrijwilligerswerk in Utrecht: 1e kwartaal 2026</title>" in html
    assert "Voorlopige cijfers" in html
    assert "&lt;5" in html
    assert "@media print" in html
    assert "@page" in html
    # Contrast: every colour in the page's CSS is one of these, and every text colour passes AA on every background.
    colours = set(re.findall(r"#[0-9a-f]{6}", html.split("</style>")[0]))
    texts, backgrounds = {"#1a1a1a", "#1f4e79", "#3d3d3d"}, {"#ffffff", "#e8eef5", "#e6f0e6", "#fff4d6"}
    assert colours <= texts | backgrounds | {"#767676"}
    assert min(contrast(t, b) for t in texts for b in backgrounds) >= 4.5
    assert contrast("#767676", "#ffffff") >= 3  # borders and gridlines (non-text contrast)


async def test_charts_are_svg_images_that_say_what_they_show(scenario: Scenario) -> None:
    service = scenario.reporting
    for chart in ("trends", "hours-by-theme", "gaps-by-district", "supply-demand", "top-gaps"):
        response = await service.http.get(f"{REPORT}/charts/{chart}.svg", headers=service.ops)
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/svg+xml"
        root = ET.fromstring(response.text)  # noqa: S314 (our own output)
        assert root.tag == f"{SVG}svg"
        assert root.get("role") == "img"
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert title is not None
        assert desc is not None
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        if chart == "trends":
            assert "Nieuwe vrijwilligers: jan 26 14, feb 26 <5, mrt 26 <5" in (desc.text or "")
        if chart == "gaps-by-district":
            assert "Oost: 1 taak, <5 vrijwilligers" in (desc.text or "")
    unknown = await service.http.get(f"{REPORT}/charts/pie.svg", headers=service.ops)
    assert unknown.status_code == 422
    # Series colours also write hidden values as text: AA for text, not only 3:1 for graphics.
    assert min(contrast(colour, "#ffffff") for colour in PALETTE) >= 4.5
    assert contrast(INK, "#ffffff") >= 4.5


async def test_csv_exports_carry_every_figure_with_the_suppression_markers(scenario: Scenario) -> None:
    service = scenario.reporting
    response = await service.http.get("/v1/municipalities/GM0344/figures.csv", headers=service.ops,
                                      params={"period": "2026-Q1"})  # fmt: skip
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="municipality-GM0344-2026-Q1.csv"' in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == ["scope", "period", "table", "row_key", "row", "column_key", "column", "value"]
    cell = {(r["table"], r["row_key"], r["column_key"]): r["value"] for r in rows}
    assert cell[("headline", "", "volunteers_new")] == "18"
    assert cell[("monthly", "2026-02", "volunteers_new")] == "<5"
    assert cell[("monthly", "2026-01", "matches_made")] == "x"
    assert cell[("districts", "WK034403", "hours")] == "26"


async def test_the_export_command_writes_the_page_the_charts_and_the_data(scenario: Scenario, tmp_path: Path) -> None:
    service = scenario.reporting
    token = service.ops["Authorization"].removeprefix("Bearer ")
    agreement = {"title": "Subsidieafspraak Vrijwilligerscentrales Utrecht 2026, eerste kwartaal", "kpis": [
        {"kpi": "volunteers_new", "target": 15}, {"kpi": "volunteers_active", "target": 20},
        {"kpi": "matches_made", "target": 12}, {"kpi": "days_to_first_match_median", "target": 21},
        {"kpi": "volunteers_active", "target": 5, "district": "WK034403"},
    ], "districts": ["WK034402", "WK034403"]}  # fmt: skip
    stored = await service.http.put("/v1/municipalities/GM0344/agreements/2026-Q1", json=agreement, headers=service.ops)
    assert stored.status_code == 201
    transport = httpx.ASGITransport(app=service.app)
    a1 = scenario.region.a1
    # What the demo does first: the same configuration again, through the client helper (idempotent).
    await configure("http://reporting", token, {a1: ("GM0344", "Utrecht", "Vrijwilligerscentrale Utrecht")},
                    [("3511", "WK034401", "Binnenstad")], transport=transport)  # fmt: skip
    assert {"centrale_id": a1, "municipality_code": "GM0344", "municipality_name": "Utrecht",
            "centrale_name": "Vrijwilligerscentrale Utrecht"} in await service.json("/v1/ops/centrales")  # fmt: skip

    written = await export_report("http://reporting", token, "GM0344", "2026-Q1", tmp_path, transport=transport)

    assert {kind: path.name for kind, path in written.items()} == {
        "html": "GM0344-2026-Q1.html", "csv": "GM0344-2026-Q1.csv", "json": "GM0344-2026-Q1.json",
        "trends": "GM0344-2026-Q1-trends.svg", "hours-by-theme": "GM0344-2026-Q1-hours-by-theme.svg",
        "gaps-by-district": "GM0344-2026-Q1-gaps-by-district.svg",
        "supply-demand": "GM0344-2026-Q1-supply-demand.svg", "top-gaps": "GM0344-2026-Q1-top-gaps.svg",
    }  # fmt: skip
    page = written["html"].read_text()
    assert "Vrijwilligerswerk in Utrecht" in page
    assert "versie 1" in page
    targets = {
        (t["kpi"], t["district"]): (t["actual"], t["met"]) for t in json.loads(written["json"].read_text())["targets"]
    }
    assert targets == {
        ("volunteers_new", None): (18, True), ("volunteers_active", None): (18, False),
        ("matches_made", None): (13, True), ("days_to_first_match_median", None): (30.0, False),
        ("volunteers_active", "WK034403"): (6, True),
    }  # fmt: skip
    assert written["trends"].read_text().startswith("<svg")
    # REPORTING_SAMPLE_OUT=<dir> keeps a copy: services/reporting/docs/sample/ was made this way.
    if sample := os.environ.get("REPORTING_SAMPLE_OUT"):
        for path in written.values():
            shutil.copy(path, Path(sample) / path.name)
