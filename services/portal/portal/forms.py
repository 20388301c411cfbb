"""Forms that keep what was typed when refused, with the reasons at each field and in a summary at the top.

A page's form is a ``Form``: the values as posted (so a refused form comes back filled in), and the reasons
per field, from the portal's own parsing or from the API's 422 (``loc`` mapped to the form's field names).
Field names follow the API's body (``contact_person.email``, ``shifts.0.start``), so an API reason lands at
its field without a table; a reason for a field the form does not show lands at the form's ``fallback``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.datastructures import FormData

from portal.backend import FieldError
from portal.i18n import gettext as _
from portal.reasons import translate_reason

__all__ = ["Form", "FormInvalid", "Parser", "field_id"]


def field_id(name: str) -> str:
    """The HTML id of a field (the error summary links to it)."""
    return "veld-" + re.sub(r"[^a-zA-Z0-9_-]", "-", name)


@dataclass
class Form:
    """What was posted and what was wrong with it."""

    values: dict[str, list[str]] = field(default_factory=dict)
    errors: list[FieldError] = field(default_factory=list)
    # Names of the fields this form shows: reasons for other fields go to ``fallback`` (or the form itself).
    fields: tuple[str, ...] = ()
    fallback: str = ""
    message: str = ""

    @classmethod
    def of(cls, data: FormData | Mapping[str, Any], fields: Iterable[str] = (), fallback: str = "") -> Form:
        """From a posted form (multi-valued fields kept), or from a record's values to edit."""
        values: dict[str, list[str]] = {}
        if isinstance(data, FormData):
            for key, value in data.multi_items():
                if isinstance(value, str) and key != "csrf_token":
                    values.setdefault(key, []).append(value)
        else:
            for key, value in data.items():
                if value is None:
                    continue
                items = value if isinstance(value, list | tuple) else [value]
                values[key] = [_as_text(item) for item in items]
        return cls(values=values, fields=tuple(fields), fallback=fallback)

    def value(self, name: str, default: str = "") -> str:
        """The field's value as typed (the first, for a repeated one)."""
        return self.values.get(name, [default])[0]

    def all(self, name: str) -> list[str]:
        """Every value of a repeated field (checkboxes, multi-selects)."""
        return self.values.get(name, [])

    def checked(self, name: str, value: str = "true") -> bool:
        """Whether a checkbox or radio button with ``value`` was chosen."""
        return value in self.values.get(name, [])

    def refuse(self, errors: Iterable[FieldError], message: str = "") -> Form:
        """The same form with reasons added; reasons for fields not on the form land at the fallback."""
        for error in errors:
            name = error.field
            if self.fields and name not in self.fields:
                # "shifts.0.start" belongs to "shifts" when only that is shown; else to the fallback.
                parent = next((f for f in self.fields if name.startswith(f + ".")), None)
                name = parent or self.fallback
            self.errors.append(FieldError(name, translate_reason(error.message)))
        if message:
            self.message = message
        return self

    def errors_for(self, name: str) -> list[str]:
        """The reasons at one field."""
        return [error.message for error in self.errors if error.field == name]

    @property
    def summary(self) -> list[tuple[str, str]]:
        """Every reason with the id of its field (empty id: the form as a whole), for the summary's links."""
        return [(field_id(error.field) if error.field else "", error.message) for error in self.errors]

    @property
    def has_errors(self) -> bool:
        """Whether anything was refused."""
        return bool(self.errors or self.message)


class FormInvalid(Exception):
    """The portal's own parsing refused fields before any API was called."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = errors


class Parser:
    """Reads typed values out of a ``Form``, collecting every reason instead of stopping at the first."""

    def __init__(self, form: Form) -> None:
        self.form = form
        self.errors: list[FieldError] = []

    def text(self, name: str, *, required: bool = False, max_length: int = 2000) -> str | None:
        """A text field (stripped; None when empty)."""
        value = self.form.value(name).strip()
        if not value:
            if required:
                self.errors.append(FieldError(name, _("Fill in this field.")))
            return None
        if len(value) > max_length:
            self.errors.append(FieldError(name, _("At most %(n)s characters.", n=max_length)))
            return None
        return value

    def decimal(self, name: str, *, required: bool = False) -> Decimal | None:
        """A number with a comma or a point as decimal separator."""
        value = self.form.value(name).strip().replace(",", ".")
        if not value:
            if required:
                self.errors.append(FieldError(name, _("Fill in a number.")))
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            self.errors.append(FieldError(name, _("Fill in a number, like 3 or 2,5.")))
            return None
        if not number.is_finite():
            self.errors.append(FieldError(name, _("Fill in a number, like 3 or 2,5.")))
            return None
        return number

    def integer(self, name: str, *, required: bool = False, minimum: int = 0, maximum: int = 1_000_000) -> int | None:
        """A whole number within bounds."""
        value = self.form.value(name).strip()
        if not value:
            if required:
                self.errors.append(FieldError(name, _("Fill in a number.")))
            return None
        if not value.isdigit() or not minimum <= int(value) <= maximum:
            self.errors.append(
                FieldError(name, _("Fill in a whole number from %(lo)s to %(hi)s.", lo=minimum, hi=maximum))
            )
            return None
        return int(value)

    def day(self, name: str, *, required: bool = False) -> date | None:
        """A date (``yyyy-mm-dd`` from a date input, or ``dd-mm-yyyy`` typed)."""
        value = self.form.value(name).strip()
        if not value:
            if required:
                self.errors.append(FieldError(name, _("Fill in a date.")))
            return None
        for pattern, order in (
            (r"(\d{4})-(\d{1,2})-(\d{1,2})", (0, 1, 2)),
            (r"(\d{1,2})-(\d{1,2})-(\d{4})", (2, 1, 0)),
        ):
            match = re.fullmatch(pattern, value)
            if match:
                parts = [int(part) for part in match.groups()]
                try:
                    return date(parts[order[0]], parts[order[1]], parts[order[2]])
                except ValueError:
                    break
        self.errors.append(FieldError(name, _("Fill in a date like 17-05-2026.")))
        return None

    def flag(self, name: str) -> bool:
        """A checkbox: ticked or not."""
        return self.form.checked(name)

    def words(self, name: str) -> list[str]:
        """A comma-separated list (skills, languages), lower case, without duplicates."""
        raw = ",".join(self.form.all(name))
        return list(dict.fromkeys(word.strip().lower() for word in raw.split(",") if word.strip()))

    def done(self) -> None:
        """Raise ``FormInvalid`` when any field was refused."""
        if self.errors:
            raise FormInvalid(self.errors)


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
