"""Dutch (default) and English: gettext catalogues compiled from the committed .po files at start-up.

Message ids are English; ``translations/nl`` holds the Dutch text (complete: a test fails on a missing one),
``translations/en`` only plural forms and the few ids that read differently in English. The language is the
visitor's choice (a cookie set by the switch), else the browser's ``Accept-Language``, else Dutch.
"""

from __future__ import annotations

import io
from contextvars import ContextVar
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from babel import Locale, negotiate_locale
from babel.dates import format_date, format_datetime, get_timezone
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "N_",
    "Catalogues",
    "current_language",
    "gettext",
    "ngettext",
    "pick_language",
    "use_language",
]

TRANSLATIONS = Path(__file__).parent / "translations"
LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"
TIMEZONE = "Europe/Amsterdam"

_language: ContextVar[str] = ContextVar("portal_language", default=DEFAULT_LANGUAGE)
_catalogues: dict[str, Translations] = {}


class Catalogues:
    """The compiled catalogues, built once from the .po files (no compiled files to keep in step)."""

    @staticmethod
    def load(directory: Path = TRANSLATIONS) -> None:
        """Compile every language's ``messages.po`` into memory."""
        for language in LANGUAGES:
            with (directory / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
                catalogue = read_po(po, locale=language)
            compiled = io.BytesIO()
            write_mo(compiled, catalogue)
            compiled.seek(0)
            _catalogues[language] = Translations(compiled, domain="messages")


def N_(message: str) -> str:
    """Mark a message id for extraction where it is translated later (tables of labels)."""
    return message


def pick_language(cookie: str | None, accept_language: str | None) -> str:
    """The visitor's chosen language, else the browser's preferred one we have, else Dutch."""
    if cookie in LANGUAGES:
        return str(cookie)
    if accept_language:
        preferred = []
        for part in accept_language.split(",")[:20]:
            tag, _, quality = part.strip().partition(";q=")
            try:
                weight = float(quality) if quality else 1.0
            except ValueError:
                continue
            preferred.append((weight, tag.strip().replace("-", "_")))
        ordered = [tag for _, tag in sorted(preferred, key=lambda item: -item[0]) if tag]
        chosen = negotiate_locale(ordered, list(LANGUAGES), sep="_")
        if chosen:
            return chosen
        # "en-GB" against "en": negotiate_locale matches only exact tags or aliases; take the language part.
        for tag in ordered:
            if tag.split("_")[0].lower() in LANGUAGES:
                return tag.split("_")[0].lower()
    return DEFAULT_LANGUAGE


def use_language(language: str) -> None:
    """Render the rest of this request in ``language``."""
    _language.set(language)


def current_language() -> str:
    """The language of the request being handled."""
    return _language.get()


def gettext(message: str, **values: Any) -> str:
    """``message`` in the current language, with ``%(name)s`` placeholders filled in."""
    catalogue = _catalogues.get(_language.get())
    text = catalogue.ugettext(message) if catalogue else message
    return text % values if values else text


def ngettext(singular: str, plural: str, n: int, **values: Any) -> str:
    """The singular or plural of a message in the current language; ``%(num)s`` is ``n``."""
    catalogue = _catalogues.get(_language.get())
    text = catalogue.ungettext(singular, plural, n) if catalogue else (singular if n == 1 else plural)
    return text % {"num": n, **values}


def locale() -> Locale:
    """The babel locale of the current language (Dutch formats for nl, British-style for en)."""
    return Locale.parse("nl_NL" if _language.get() == "nl" else "en_GB")


def format_day(value: date | datetime | str | None, style: str = "long") -> str:
    """A day as people write it: 17 mei 2026 / 17 May 2026."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, format=style, locale=locale())


def format_moment(value: datetime | str | None) -> str:
    """A moment in Amsterdam time: 17 mei 2026 09:30."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return format_datetime(value, format="d MMMM y HH:mm", tzinfo=get_timezone(TIMEZONE), locale=locale())


def format_number(value: Decimal | float | int | str | None, digits: int = 2) -> str:
    """A number with the language's separators, without trailing zeros: 3,5 / 3.5."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value))
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(number, format=pattern, locale=locale())
