"""Thank-you texts: the Dutch defaults, the placeholders a template may use, and filling one in. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from string import Template
from typing import Literal

__all__ = ["DEFAULT_TEMPLATES", "PLACEHOLDERS", "TemplateKind", "choose", "placeholder_problem", "render"]

TemplateKind = Literal["default", "first_match", "hours_milestone", "anniversary", "nldoet", "mdt"]
PLACEHOLDERS = frozenset({"naam", "titel", "centrale"})

_FOOTER = (
    "\n\n--\nJe krijgt dit bericht omdat je toestemming gaf voor waarderingsberichten van $centrale. Wil je ze"
    " niet meer ontvangen? Trek je toestemming in bij je gegevens, of laat het de vrijwilligerscentrale weten."
)

# Dutch defaults; staff replace them per centrale and kind through the API.
DEFAULT_TEMPLATES: dict[str, tuple[str, str]] = {
    "default": (
        "Dank je wel, $naam!",
        "Beste $naam,\n\nNamens $centrale willen we je graag bedanken: $titel.\n\n"
        "Jouw inzet maakt het verschil voor de mensen en organisaties bij jou in de buurt.\n\n"
        "Hartelijke groet,\n$centrale",
    ),
    "first_match": (
        "Welkom als vrijwilliger, $naam!",
        "Beste $naam,\n\nJe bent aan de slag gegaan als vrijwilliger: $titel. Wat fijn dat je meedoet!\n\n"
        "Heb je vragen, dan staan we voor je klaar.\n\nHartelijke groet,\n$centrale",
    ),
    "hours_milestone": (
        "Gefeliciteerd: $titel!",
        "Beste $naam,\n\nJe hebt een mooie mijlpaal bereikt: $titel. Dank je wel voor al die uren die je"
        " aan anderen geeft.\n\nHartelijke groet,\n$centrale",
    ),
    "anniversary": (
        "Gefeliciteerd met je jubileum, $naam!",
        "Beste $naam,\n\nVandaag vieren we iets bijzonders: $titel. Dank je wel voor je trouwe inzet.\n\n"
        "Hartelijke groet,\n$centrale",
    ),
    "nldoet": (
        "Bedankt voor je inzet tijdens NLdoet!",
        "Beste $naam,\n\n$titel: dank je wel dat je de handen uit de mouwen stak.\n\nHartelijke groet,\n$centrale",
    ),
    "mdt": (
        "Gefeliciteerd met je maatschappelijke diensttijd!",
        "Beste $naam,\n\nJe hebt een MDT-mijlpaal bereikt: $titel. Dit kun je mooi op je cv zetten; vraag"
        " gerust je bewijs van inzet aan.\n\nHartelijke groet,\n$centrale",
    ),
}


def choose(own: Mapping[str, tuple[str, str]], kind: str) -> tuple[str, str]:
    """The template for an award of ``kind``: the centrale's own for it, else its own default, else ours."""
    return own.get(kind) or own.get("default") or DEFAULT_TEMPLATES.get(kind) or DEFAULT_TEMPLATES["default"]


def render(subject: str, body: str, *, naam: str, titel: str, centrale: str) -> tuple[str, str]:
    """A template filled in; ``$`` placeholders only, so a template cannot reach anything else."""
    values = {"naam": naam, "titel": titel, "centrale": centrale}
    # Header injection: a subject is one line, whatever a name or title contains.
    rendered_subject = " ".join(Template(subject).safe_substitute(values).split())
    return rendered_subject, Template(body + _FOOTER).safe_substitute(values)


def placeholder_problem(text: str) -> str | None:
    """Why ``text`` cannot be a template (a stray ``$``, an unknown placeholder), or None when it can."""
    template = Template(text)
    if not template.is_valid():
        return "a $ must start a placeholder ($naam, $titel, $centrale) or be written $$"
    unknown = set(template.get_identifiers()) - PLACEHOLDERS
    if unknown:
        return f"unknown placeholder(s) {sorted(unknown)}; use $naam, $titel or $centrale"
    return None
