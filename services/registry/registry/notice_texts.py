"""Notice texts: the kinds of notice, their Dutch defaults, the placeholders, and a mail's text and HTML parts.

Pure, and outside the layers (like ``vacaturebank``): use cases choose and render them, routes check them."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from string import Template

__all__ = [
    "BOOKED_KINDS",
    "DEFAULT_NOTICE_TEMPLATES",
    "NOTICE_PLACEHOLDERS",
    "NoticeKind",
    "NoticeText",
    "as_html",
    "choose_notice",
    "digest",
    "notice_placeholder_problem",
    "render_notice",
]


class NoticeKind(StrEnum):
    """What a notice is about."""

    PROPOSAL_NEW = "proposal_new"
    """To a volunteer: they were proposed (or put forward) for a task."""
    RESPONSE_NEW = "response_new"
    """To an organisation: a volunteer responded to its task, or said yes to a proposal."""
    ACCEPTED = "accepted"
    """To a volunteer: the organisation said yes; theirs is awaited."""
    MATCH_MADE = "match_made"
    """To both: both said yes."""
    DECLINED = "declined"
    """To the side that did not decline."""
    CHECK_IN = "check_in"
    """To both: how is it going?"""
    VOG_EXPIRING = "vog_expiring"
    """To a volunteer: their VOG is about to expire."""
    PROPOSAL_UNANSWERED = "proposal_unanswered"
    """To the side that has not answered a proposal yet."""
    DEAL_TO_CONFIRM = "deal_to_confirm"
    """To a Beursvloer party: the other party proposed a deal; theirs is awaited."""
    DEAL_FOLLOW_UP = "deal_follow_up"
    """To both parties of a Beursvloer deal, after its date: did it happen?"""
    TRAINING_PLACE = "training_place"
    """To whoever waited for a training: a place came free and is theirs."""
    TRAINING_REMINDER = "training_reminder"
    """To whoever booked a training: it starts soon."""
    TRAINING_CANCELLED = "training_cancelled"
    """To whoever booked or waited for a training: it does not go ahead."""
    SHIFT_PLACE = "shift_place"
    """To a volunteer on a shift's waiting list: someone cancelled and the place is theirs."""
    ONE_OFF_FOLLOW_UP = "one_off_follow_up"
    """To a volunteer, the day after a one-off day (NLdoet, a one-off task): three structural tasks that fit them."""


# Notices about what the person booked or agreed to themselves: they rest on that, not on the consent to
# bemiddeling that notices about proposals and matches need.
BOOKED_KINDS = frozenset(
    {
        NoticeKind.DEAL_TO_CONFIRM,
        NoticeKind.DEAL_FOLLOW_UP,
        NoticeKind.TRAINING_PLACE,
        NoticeKind.TRAINING_REMINDER,
        NoticeKind.TRAINING_CANCELLED,
        NoticeKind.SHIFT_PLACE,
    }
)

NOTICE_PLACEHOLDERS = frozenset(
    {"naam", "taak", "organisatie", "centrale", "link", "datum", "afspraak", "training", "plaats", "taken"}
)
_PLACEHOLDER_LIST = "$naam, $taak, $organisatie, $centrale, $link, $datum, $afspraak, $training, $plaats, $taken"

# Every notice says why it came and how to get fewer; volunteers are addressed as "je", organisations and companies
# (a business partner's Beursvloer contact) as "u".
_FOOTERS = {
    "volunteer": (
        "\n\n--\nJe krijgt dit bericht van $centrale over je vrijwilligerswerk. Liever één overzicht per dag, of"
        " geen berichten van deze soort? Pas je voorkeuren aan bij je gegevens, of laat het de vrijwilligerscentrale"
        " weten."
    ),
    "organisation": (
        "\n\n--\nU krijgt dit bericht van $centrale over de vrijwilligers van uw organisatie. Liever één overzicht"
        " per dag, of geen berichten van deze soort? Pas de voorkeuren van uw organisatie aan, of laat het de"
        " vrijwilligerscentrale weten."
    ),
    "partner": (
        "\n\n--\nU krijgt dit bericht van $centrale over de Beursvloer-afspraken van uw bedrijf. Liever één"
        " overzicht per dag, of geen berichten van deze soort? Laat het de vrijwilligerscentrale weten."
    ),
}
_NEWS = {
    "volunteer": "Er is nieuws over je vrijwilligerswerk",
    "organisation": "Er is nieuws over uw vrijwilligers",
    "partner": "Er is nieuws over uw Beursvloer-afspraken",
}

# Dutch defaults; staff replace them per centrale and kind through the API.
DEFAULT_NOTICE_TEMPLATES: dict[str, tuple[str, str]] = {
    NoticeKind.PROPOSAL_NEW: (
        "Een taak voor jou: $taak",
        "Beste $naam,\n\nWe denken dat deze taak bij je past: $taak, bij $organisatie.\n\n"
        "Bekijk de taak en zeg ja of nee: $link\n\nHartelijke groet,\n$centrale",
    ),
    NoticeKind.RESPONSE_NEW: (
        "Een reactie op uw taak: $taak",
        "Beste $naam,\n\nEr is een vrijwilliger die graag wil helpen bij $taak.\n\n"
        "Bekijk de reactie en laat weten of u ja zegt: $link\n\nMet vriendelijke groet,\n$centrale",
    ),
    NoticeKind.ACCEPTED: (
        "$organisatie zegt ja: $taak",
        "Beste $naam,\n\nGoed nieuws: $organisatie wil graag met je aan de slag bij $taak.\n\n"
        "Zeg jij ook ja? Dan is de match rond: $link\n\nHartelijke groet,\n$centrale",
    ),
    NoticeKind.MATCH_MADE: (
        "Het is een match: $taak",
        "Beste $naam,\n\nBeide kanten zeiden ja: de match voor $taak is rond.\n\n"
        "Hoe jullie elkaar bereiken, zie je hier: $link\n\nVeel plezier en succes!\n$centrale",
    ),
    NoticeKind.DECLINED: (
        "Geen match voor $taak",
        "Beste $naam,\n\nHelaas gaat de match voor $taak niet door.\n\n"
        "Er zijn nog veel meer mooie taken; kijk gerust verder, of vraag de vrijwilligerscentrale om mee te denken."
        "\n\nHartelijke groet,\n$centrale",
    ),
    NoticeKind.CHECK_IN: (
        "Hoe gaat het met $taak?",
        "Beste $naam,\n\nJullie werken nu een tijdje samen bij $taak. We horen graag hoe het gaat: goed, twijfels,"
        " of wil je stoppen? Het kost maar een minuut: $link\n\nHartelijke groet,\n$centrale",
    ),
    NoticeKind.VOG_EXPIRING: (
        "Je VOG verloopt op $datum",
        "Beste $naam,\n\nJe Verklaring Omtrent het Gedrag (VOG) is geldig tot $datum. Voor sommige taken is een"
        " geldige VOG nodig. De vrijwilligerscentrale helpt je gratis een nieuwe aan te vragen.\n\n"
        "Hartelijke groet,\n$centrale",
    ),
    NoticeKind.PROPOSAL_UNANSWERED: (
        "Nog geen antwoord: $taak",
        "Beste $naam,\n\nEr wacht nog een voorstel op je antwoord: $taak. Zeg ja of nee, dan weet iedereen waar"
        " hij aan toe is: $link\n\nHartelijke groet,\n$centrale",
    ),
    NoticeKind.DEAL_TO_CONFIRM: (
        "Bevestig uw Beursvloer-afspraak: $afspraak",
        "Beste $naam,\n\nOp de Beursvloer is een afspraak voor u klaargezet: $afspraak (vóór $datum).\n\n"
        "Klopt dit? Bevestig de afspraak: $link\n\nMet vriendelijke groet,\n$centrale",
    ),
    NoticeKind.DEAL_FOLLOW_UP: (
        "Is het gelukt? $afspraak",
        "Beste $naam,\n\nOp de Beursvloer maakte u een afspraak: $afspraak, vóór $datum.\n\n"
        "Is het gebeurd? Laat het ons weten (gedaan, deels of niet): $link\n\nMet vriendelijke groet,\n$centrale",
    ),
    NoticeKind.TRAINING_PLACE: (
        "Er is plaats voor je: $training",
        "Beste $naam,\n\nEr is een plaats vrijgekomen bij $training op $datum ($plaats). Je stond op de wachtlijst;"
        " de plaats is nu van jou.\n\nKun je toch niet? Meld je dan af: $link\n\nHartelijke groet,\n$centrale",
    ),
    NoticeKind.SHIFT_PLACE: (
        "Er is plaats voor je: $taak op $datum",
        "Beste $naam,\n\nEr is een plaats vrijgekomen in de dienst van $datum bij $organisatie ($taak). Je stond op"
        " de wachtlijst; de plaats is nu van jou.\n\nKun je toch niet? Meld je dan af: $link\n\nHartelijke groet,"
        "\n$centrale",
    ),
    NoticeKind.TRAINING_REMINDER: (
        "Herinnering: $training op $datum",
        "Beste $naam,\n\nTot binnenkort bij $training, op $datum ($plaats).\n\n"
        "Kun je toch niet? Meld je dan af, dan kan iemand van de wachtlijst mee: $link\n\nHartelijke groet,\n$centrale",
    ),
    NoticeKind.TRAINING_CANCELLED: (
        "Gaat niet door: $training",
        "Beste $naam,\n\nHelaas gaat $training op $datum niet door. Kijk gerust naar de andere trainingen:"
        " $link\n\nHartelijke groet,\n$centrale",
    ),
    NoticeKind.ONE_OFF_FOLLOW_UP: (
        "Bedankt voor $taak! Zin in meer?",
        "Beste $naam,\n\nBedankt dat je meedeed aan $taak bij $organisatie. Smaakte het naar meer? Deze taken"
        " passen bij je en lopen langer:\n\n$taken\n\nBekijk ze en reageer: $link\n\nHartelijke groet,\n$centrale",
    ),
}


@dataclass(frozen=True)
class NoticeText:
    """A notice filled in: subject and plain text (the mail's HTML part is made from the text)."""

    subject: str
    text: str


def choose_notice(own: Mapping[str, tuple[str, str]], kind: str) -> tuple[str, str]:
    """The template for ``kind``: the centrale's own, else the Dutch default."""
    return own.get(kind) or DEFAULT_NOTICE_TEMPLATES[kind]


def render_notice(
    subject: str, body: str, values: Mapping[str, str], *, recipient_kind: str, footer: bool = True
) -> NoticeText:
    """A template filled in for a volunteer or an organisation; ``$`` placeholders only, so a template cannot reach
    anything else. ``footer``: why the mail came and how to get fewer (left off an item inside a digest)."""
    known = {name: values.get(name, "") for name in NOTICE_PLACEHOLDERS}
    # Header injection: a subject is one line, whatever a name or title contains.
    rendered_subject = " ".join(Template(subject).safe_substitute(known).split())
    text = Template(body + (_FOOTERS[recipient_kind] if footer else "")).safe_substitute(known)
    return NoticeText(rendered_subject, text)


def digest(greeting_name: str, centrale: str, items: Sequence[NoticeText], *, recipient_kind: str) -> NoticeText:
    """Several notices to one person as one mail (a daily digest, or a burst gathered up)."""
    parts = [f"Beste {greeting_name},\n\n{_NEWS[recipient_kind]} ({len(items)} berichten):"]
    for number, item in enumerate(items, start=1):
        parts.append(f"{number}. {item.subject}\n\n{item.text}")
    text = "\n\n".join(parts) + Template(_FOOTERS[recipient_kind]).safe_substitute(centrale=centrale)
    return NoticeText(f"{len(items)} berichten van {' '.join(centrale.split())}", text)


_URL = re.compile(r"https?://[^\s<>\"]+")


def as_html(text: str) -> str:
    """The mail's HTML part: the plain text escaped, in paragraphs, links clickable (same words, nothing more)."""
    paragraphs = []
    for block in text.split("\n\n"):
        escaped = html.escape(block)
        linked = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        paragraphs.append(f"<p>{linked.replace(chr(10), '<br>')}</p>")
    return (
        '<!DOCTYPE html>\n<html lang="nl">\n<head><meta charset="utf-8"></head>\n<body>\n'
        + "\n".join(paragraphs)
        + "\n</body>\n</html>\n"
    )


def notice_placeholder_problem(text: str) -> str | None:
    """Why ``text`` cannot be a notice template (a stray ``$``, an unknown placeholder), or None when it can."""
    template = Template(text)
    if not template.is_valid():
        return f"a $ must start a placeholder ({_PLACEHOLDER_LIST}) or be written $$"
    unknown = set(template.get_identifiers()) - NOTICE_PLACEHOLDERS
    if unknown:
        return f"unknown placeholder(s) {sorted(unknown)}; use {_PLACEHOLDER_LIST}"
    return None
