"""Reading one cell of an import file: the formats other systems (and Dutch spreadsheets) write.

Each reader takes the cell's text (already stripped) and returns the value, or raises ``CellError`` with a
message that says what was expected, never what was found (an import's report must not repeat personal data).
Dates are day-first when not ISO (``31-12-2019``, ``31/12/2019``), decimals may use a comma, yes/no may be
Dutch, lists are separated by ``;`` or ``,`` and weekly times read like ``ma 09:00-12:00; do 13:30-16:00``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from contracts.events import WeeklySlot

__all__ = [
    "CellError",
    "read_bool",
    "read_codes",
    "read_date",
    "read_decimal",
    "read_email",
    "read_int",
    "read_languages",
    "read_moment",
    "read_phone",
    "read_slots",
    "write_slots",
]

_DUTCH_TIME = ZoneInfo("Europe/Amsterdam")
_DAY_FIRST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_ISO_WITH_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})[ T](\d{1,2})[:.](\d{2})(?::(\d{2})(?:\.\d+)?)?$")
_DAY_FIRST_WITH_TIME = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})[ T](\d{1,2})[:.](\d{2})(?::(\d{2}))?$")
_EMAIL = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[a-zA-Z]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")
_CODE = re.compile(r"^[a-z0-9][a-z0-9 _./+-]{0,39}$")
_LIST_SEPARATOR = re.compile(r"\s*[;,|]\s*")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
_SLOT = re.compile(r"^([a-z]+)\.?\s+(\d{1,2}[:.]\d{2})\s*-\s*(\d{1,2}[:.]\d{2})$")

_YES = frozenset({"ja", "j", "yes", "y", "true", "waar", "1", "x"})
_NO = frozenset({"nee", "n", "no", "false", "onwaar", "0"})
WEEKDAYS = {
    **dict.fromkeys(("ma", "maa", "maandag", "mo", "mon", "monday"), 1),
    **dict.fromkeys(("di", "din", "dinsdag", "tu", "tue", "tues", "tuesday"), 2),
    **dict.fromkeys(("wo", "woe", "woensdag", "we", "wed", "wednesday"), 3),
    **dict.fromkeys(("do", "don", "donderdag", "th", "thu", "thur", "thurs", "thursday"), 4),
    **dict.fromkeys(("vr", "vri", "vrijdag", "fr", "fri", "friday"), 5),
    **dict.fromkeys(("za", "zat", "zaterdag", "sa", "sat", "saturday"), 6),
    **dict.fromkeys(("zo", "zon", "zondag", "su", "sun", "sunday"), 7),
}
# Languages as other systems write them (Dutch or English names) → ISO 639-1, as the platform keeps them.
LANGUAGES = {
    **dict.fromkeys(("nederlands", "dutch"), "nl"),
    **dict.fromkeys(("engels", "english"), "en"),
    **dict.fromkeys(("duits", "german"), "de"),
    **dict.fromkeys(("frans", "french"), "fr"),
    **dict.fromkeys(("spaans", "spanish"), "es"),
    **dict.fromkeys(("arabisch", "arabic"), "ar"),
    **dict.fromkeys(("turks", "turkish"), "tr"),
    **dict.fromkeys(("pools", "polish"), "pl"),
    **dict.fromkeys(("oekraïens", "oekraiens", "ukrainian"), "uk"),
    **dict.fromkeys(("russisch", "russian"), "ru"),
    **dict.fromkeys(("tigrinya", "tigrinya"), "ti"),
    **dict.fromkeys(("somalisch", "somali"), "so"),
    **dict.fromkeys(("perzisch", "farsi", "persian"), "fa"),
    **dict.fromkeys(("portugees", "portuguese"), "pt"),
    **dict.fromkeys(("italiaans", "italian"), "it"),
    **dict.fromkeys(("fries", "frisian"), "fy"),
}
_TWO_PLACES = Decimal("0.01")


class CellError(ValueError):
    """A cell that does not hold what its column needs; the message says what was expected."""


def read_date(text: str) -> date:
    """A calendar date: ISO (``2019-12-31``) or day first (``31-12-2019``, ``31/12/2019``, ``31.12.2019``)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    day_first = _DAY_FIRST.match(text)
    try:
        if day_first is not None:
            day, month, year = day_first.groups()
            return date(int(year), int(month), int(day))
        # A spreadsheet's date cell: a date with midnight (what a reader makes of a date-time cell).
        with_time = _ISO_WITH_TIME.match(text)
        if with_time is not None and with_time.group(2, 3) in (("0", "00"), ("00", "00")):
            return date.fromisoformat(with_time.group(1))
    except ValueError:
        pass
    raise CellError("not a date (write 2019-12-31 or 31-12-2019)")


def read_moment(text: str) -> datetime:
    """A moment in Dutch time (a date alone is its midnight): ``2019-12-31 14:30``, ``31-12-2019 14:30``."""
    found = _ISO_WITH_TIME.match(text)
    try:
        if found is not None:
            day, hour, minute, second = found.groups()
            local = datetime.combine(date.fromisoformat(day), time(int(hour), int(minute), int(second or 0)))
            return local.replace(tzinfo=_DUTCH_TIME).astimezone(UTC)
        found = _DAY_FIRST_WITH_TIME.match(text)
        if found is not None:
            day_, month, year, hour, minute, second = found.groups()
            local = datetime(int(year), int(month), int(day_), int(hour), int(minute), int(second or 0))
            return local.replace(tzinfo=_DUTCH_TIME).astimezone(UTC)
    except ValueError:
        raise CellError("not a date and time (write 2019-12-31 14:30 or 31-12-2019 14:30)") from None
    try:
        day_only = read_date(text)
    except CellError:
        raise CellError("not a date and time (write 2019-12-31 14:30 or 31-12-2019 14:30)") from None
    return datetime.combine(day_only, time(0), tzinfo=_DUTCH_TIME).astimezone(UTC)


def read_decimal(text: str, *, places: int = 2) -> Decimal:
    """A number with a point or a Dutch decimal comma (``2.5``, ``2,5``), at most ``places`` decimals."""
    try:
        number = Decimal(text.replace(",", ".", 1) if "," in text else text)
    except InvalidOperation:
        raise CellError("not a number (write 2.5 or 2,5)") from None
    if not number.is_finite():
        raise CellError("not a number (write 2.5 or 2,5)")
    if number != number.quantize(_TWO_PLACES if places == 2 else Decimal(1).scaleb(-places)):
        raise CellError(f"has more than {places} decimals")
    return number


def read_int(text: str) -> int:
    """A whole number."""
    try:
        return int(text)
    except ValueError:
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise CellError("not a whole number") from None
        if number.is_finite() and number == number.to_integral_value():
            return int(number)
        raise CellError("not a whole number") from None


def read_bool(text: str) -> bool:
    """Yes or no, in Dutch or English (``ja``/``nee``, ``yes``/``no``, ``1``/``0``, ``x`` for yes)."""
    word = text.lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise CellError("not yes or no (write ja or nee)")


def read_email(text: str) -> str:
    """An e-mail address (the domain in lower case)."""
    if len(text) > 254 or _EMAIL.match(text) is None:
        raise CellError("not an e-mail address")
    local, _, domain_part = text.rpartition("@")
    return f"{local}@{domain_part.lower()}"


def read_phone(text: str) -> str:
    """A phone number: digits, spaces, brackets, dashes, an optional leading plus."""
    if _PHONE.match(text) is None:
        raise CellError("not a phone number (digits, spaces and dashes, 6 to 20 characters)")
    return text


def read_codes(text: str, *, most: int) -> list[str]:
    """A list of codes (skills, themes): separated by ``;`` or ``,``, lower case, each at most 40 characters."""
    codes = []
    for part in _LIST_SEPARATOR.split(text.lower()):
        if not part:
            continue
        if _CODE.match(part) is None:
            raise CellError("holds a code that is not a short word (letters, digits, dashes; at most 40)")
        if part not in codes:
            codes.append(part)
    if len(codes) > most:
        raise CellError(f"holds more than {most} items")
    return codes


def read_languages(text: str) -> list[str]:
    """Languages as ISO 639-1 codes (``nl; ar``) or their Dutch or English names (``Nederlands, Arabisch``)."""
    codes = []
    for part in _LIST_SEPARATOR.split(text.lower()):
        if not part:
            continue
        code = LANGUAGES.get(part, part)
        if len(code) != 2 or not code.isascii() or not code.isalpha():
            raise CellError("holds a language that is neither a two-letter code (nl) nor a known name (Nederlands)")
        if code not in codes:
            codes.append(code)
    if len(codes) > 20:
        raise CellError("holds more than 20 languages")
    return codes


def _clock(text: str) -> time:
    found = _TIME.match(text)
    if found is None:
        raise CellError("has a time that is not like 09:00")
    hour, minute = int(found.group(1)), int(found.group(2))
    if hour == 24 and minute == 0:
        return time(23, 59)
    if hour > 23 or minute > 59:
        raise CellError("has a time that is not like 09:00")
    return time(hour, minute)


def read_slots(text: str) -> list[WeeklySlot]:
    """Weekly times: ``ma 09:00-12:00; do 13:30-16:00`` (Dutch or English day names, full or short)."""
    slots = []
    for part in re.split(r"\s*[;,|]\s*", text.lower()):
        if not part:
            continue
        found = _SLOT.match(part)
        if found is None:
            raise CellError("not weekly times like 'ma 09:00-12:00; do 13:30-16:00'")
        weekday = WEEKDAYS.get(found.group(1))
        if weekday is None:
            raise CellError("has a day that is not a weekday (ma, di, wo, do, vr, za, zo)")
        start, end = _clock(found.group(2)), _clock(found.group(3))
        if end <= start:
            raise CellError("has a time slot that ends before it starts")
        slots.append(WeeklySlot(weekday=weekday, start=start, end=end))
    if len(slots) > 50:
        raise CellError("holds more than 50 time slots")
    return slots


_DAY_NAMES = {1: "ma", 2: "di", 3: "wo", 4: "do", 5: "vr", 6: "za", 7: "zo"}


def write_slots(slots: Sequence[WeeklySlot]) -> str:
    """Weekly times as ``read_slots`` reads them: ``ma 09:00-12:00; do 13:30-16:00``."""
    return "; ".join(f"{_DAY_NAMES[s.weekday]} {s.start:%H:%M}-{s.end:%H:%M}" for s in slots)
