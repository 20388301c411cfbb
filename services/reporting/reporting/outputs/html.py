"""The period report as one HTML page per municipality: readable in a browser, printable, WCAG 2.1 AA."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from reporting.accountability import PeriodReport
from reporting.kpis import KPIS, MIN_PEOPLE, WAITING_DAYS, kpi
from reporting.outputs.charts import CHARTS, display
from reporting.supply_demand import readings

__all__ = ["HEADLINE_GROUPS", "render_report"]

_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_ENV = Environment(
    loader=FileSystemLoader(_TEMPLATES),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters["shown"] = display

# The headline figures in the order a policy officer reads them.
HEADLINE_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Vrijwilligers", ("volunteers_registered", "volunteers_new", "volunteers_active", "volunteers_waiting")),
    ("Organisaties en taken", ("organisations_admitted", "organisations_new", "tasks_posted", "tasks_open",
                               "tasks_filled", "tasks_expired", "tasks_waiting")),
    ("Matches", ("matches_made", "tasks_first_matched", "days_to_first_match_median", "days_to_first_match_p90")),
    ("Uren en bedrijven", ("hours", "team_days", "team_employees", "team_hours")),
    ("NLdoet en maatschappelijke diensttijd (MDT)", ("nldoet_volunteers", "nldoet_hours", "nldoet_team_employees",
                                                     "nldoet_team_hours", "mdt_active", "mdt_basis_completed",
                                                     "mdt_plus_completed")),
)  # fmt: skip


def _local(moment: datetime) -> str:
    try:
        moment = moment.astimezone(ZoneInfo("Europe/Amsterdam"))
    except ZoneInfoNotFoundError:  # a slim image without time zone data: UTC, said so
        return moment.astimezone(UTC).strftime("%d-%m-%Y %H:%M UTC")
    return moment.strftime("%d-%m-%Y %H:%M")


def render_report(report: PeriodReport) -> str:
    """The report page, with its charts inline (each also has its data table right below it)."""
    figures = report.figures
    charts = {name: Markup(chart(figures, f"chart-{name}")) for name, chart in CHARTS.items()}  # noqa: S704
    headline = {item.kpi: item for item in figures.headline}
    groups = [(title, [headline[key] for key in keys if key in headline]) for title, keys in HEADLINE_GROUPS]
    return _ENV.get_template("report.html").render(
        report=report,
        figures=figures,
        charts=charts,
        groups=groups,
        tables={table.id: table for table in figures.tables},
        supply_readings=readings(figures.tables, report.municipality_name),
        definitions=[k for k in KPIS if k.key in headline or k.category is not None],
        kpi=kpi,
        min_people=MIN_PEOPLE,
        waiting_days=WAITING_DAYS,
        generated=_local(figures.generated_at),
        closed=_local(report.closed_at) if report.closed_at else None,
    )
