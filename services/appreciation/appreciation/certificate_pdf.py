"""The certificate as a PDF ("bewijs van vrijwillige inzet"), in Dutch, written with fpdf2."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    from fpdf import FPDF

__all__ = [
    "CertificateContent",
    "OrganisationLine",
    "TaskLine",
    "TrainingLine",
    "dutch_date",
    "dutch_hours",
    "render_certificate",
]

_MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


@dataclass(frozen=True)
class OrganisationLine:
    """Where the volunteer served and how much."""

    name: str
    hours: Decimal
    first_day: date | None
    last_day: date | None


@dataclass(frozen=True)
class TaskLine:
    """One task: at which organisation, its theme and skills, and the hours given to it."""

    organisation: str
    theme: str
    skills: list[str]
    hours: Decimal


@dataclass(frozen=True)
class TrainingLine:
    """A training followed at the centrale (its kennisfunctie): what, of which kind, when."""

    title: str
    kind: str
    """``training`` or ``advice`` (an advice session)."""
    on: date


@dataclass(frozen=True)
class CertificateContent:
    """Everything the certificate says; the name exists only here, for as long as the PDF is being made."""

    certificate_id: UUID
    name: str
    centrale_name: str
    issued_on: date
    total_hours: Decimal
    first_day: date | None
    last_day: date | None
    verify_url: str
    trainings: list[TrainingLine] = field(default_factory=list)
    organisations: list[OrganisationLine] = field(default_factory=list)
    tasks: list[TaskLine] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    awards: list[tuple[str, date]] = field(default_factory=list)


def dutch_hours(hours: Decimal) -> str:
    """Hours the Dutch way: '1.234,50'."""
    whole, _, fraction = f"{hours.quantize(Decimal('0.01')):,.2f}".partition(".")
    return f"{whole.replace(',', '.')},{fraction}"


def dutch_date(day: date) -> str:
    """A date the Dutch way: '14 maart 2026'."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


class _Writer:
    """fpdf2 with a Unicode TrueType font when one is installed, else a built-in Latin-1 font."""

    def __init__(self, font: Path | None, title: str, author: str) -> None:
        # fpdf2 (with fontTools) takes about a second to import: loaded for the first certificate asked for, not
        # at every start of the service (start-up is measured: issue 20).
        from fpdf import FPDF
        from fpdf.enums import XPos, YPos

        self.pdf: FPDF = FPDF(format="A4")
        self._left, self._next = XPos.LMARGIN, YPos.NEXT
        self.pdf.set_title(title)
        self.pdf.set_author(author)
        self.pdf.set_creator("regio-platform appreciation")
        self.pdf.set_lang("nl-NL")
        self.pdf.set_margins(20, 20, 20)
        self.pdf.set_auto_page_break(True, margin=20)
        self.unicode = font is not None and font.is_file()
        if self.unicode and font is not None:
            bold = font.with_name(font.stem + "-Bold" + font.suffix)
            self.pdf.add_font("body", "", font)
            self.pdf.add_font("body", "B", bold if bold.is_file() else font)
            self.family = "body"
        else:
            self.family = "helvetica"
        self.pdf.add_page()

    def text(self, value: str) -> str:
        # The built-in fonts only know Latin-1: other characters become '?' rather than failing the request.
        return value if self.unicode else value.encode("latin-1", "replace").decode("latin-1")

    def heading(self, value: str, size: int = 13) -> None:
        self.pdf.set_font(self.family, "B", size)
        self.pdf.ln(3)
        self.pdf.cell(0, size * 0.6, self.text(value), new_x=self._left, new_y=self._next)
        self.pdf.ln(1)

    def line(self, value: str, *, bold: bool = False, size: int = 10) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.multi_cell(0, size * 0.55, self.text(value), new_x=self._left, new_y=self._next)

    def table(self, header: tuple[str, ...], rows: list[tuple[str, ...]], widths: tuple[int, ...]) -> None:
        self.pdf.set_font(self.family, "", 9)
        with self.pdf.table(col_widths=widths, text_align="LEFT", line_height=5, first_row_as_headings=True) as table:
            for values in (header, *rows):
                row = table.row()
                for value in values:
                    row.cell(self.text(value))

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def _period(first: date | None, last: date | None) -> str:
    if first is None or last is None:
        return "-"
    return dutch_date(first) if first == last else f"{dutch_date(first)} t/m {dutch_date(last)}"


def render_certificate(content: CertificateContent, font: Path | None) -> bytes:
    """The certificate's PDF bytes."""
    writer = _Writer(font, "Bewijs van vrijwillige inzet", content.centrale_name)
    writer.line(content.centrale_name, bold=True, size=11)
    writer.heading("Bewijs van vrijwillige inzet", size=20)
    writer.line(
        f"Hierbij verklaart {content.centrale_name} dat {content.name} zich als vrijwilliger heeft ingezet"
        f" in de periode {_period(content.first_day, content.last_day)}."
    )
    writer.line(f"Naam: {content.name}", bold=True)
    writer.line(f"Totaal aantal uren: {dutch_hours(content.total_hours)}", bold=True)

    writer.heading("Organisaties")
    writer.table(
        ("Organisatie", "Uren", "Periode"),
        [(o.name, dutch_hours(o.hours), _period(o.first_day, o.last_day)) for o in content.organisations],
        (70, 25, 75),
    )
    writer.heading("Taken")
    writer.table(
        ("Organisatie", "Thema", "Vaardigheden", "Uren"),
        [(t.organisation, t.theme, ", ".join(t.skills) or "-", dutch_hours(t.hours)) for t in content.tasks],
        (55, 35, 55, 25),
    )
    writer.heading("Ingezette vaardigheden")
    writer.line(", ".join(content.skills) if content.skills else "Geen vaardigheden vastgelegd bij de taken.")
    writer.heading("Trainingen")
    if content.trainings:
        for training in content.trainings:
            kind = ", adviesgesprek" if training.kind == "advice" else ""
            writer.line(f"- {training.title} ({dutch_date(training.on)}{kind})")
    else:
        writer.line("Geen trainingen gevolgd bij de vrijwilligerscentrale.")
    writer.heading("Mijlpalen en waardering")
    if content.awards:
        for title, day in content.awards:
            writer.line(f"- {title} ({dutch_date(day)})")
    else:
        writer.line("Nog geen mijlpalen.")
    writer.heading("Echtheid controleren")
    writer.line(f"Certificaatnummer: {content.certificate_id}")
    writer.line(f"Uitgegeven op: {dutch_date(content.issued_on)}")
    writer.line(
        f"Controleer dit bewijs op {content.verify_url}: daar staan de datum en het totaal aantal uren, en kunt u"
        " dit bestand laten vergelijken met het uitgegeven exemplaar. Er staan geen persoonsgegevens."
    )
    return writer.output()
