"""The services' reasons for refusing, in the visitor's language.

The APIs answer in English (field-level, for programs as much as for people); the portal shows the reasons a
person meets in its pages translated, numbers and all. A reason not listed here is shown as the API gave it.
"""

from __future__ import annotations

import re

from portal.i18n import N_, gettext

__all__ = ["translate_reason"]

# (the API's reason as a pattern, the message id with the pattern's groups as placeholders)
_REASONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(pattern), message)
    for pattern, message in [
        # The NOV criteria (registry, publishing a task).
        (
            r"asks (?P<asked>[0-9.]+) hours a week; the NOV criteria allow at most (?P<most>[0-9]+)",
            N_("asks %(asked)s hours a week; the NOV criteria allow at most %(most)s"),
        ),
        (r"hours per week must be more than 0", N_("hours per week must be more than 0")),
        (
            r"the description must say clearly what the task is \(at least (?P<n>[0-9]+) characters\)",
            N_("the description must say clearly what the task is (at least %(n)s characters)"),
        ),
        (r"volunteer work may not replace paid work", N_("volunteer work may not replace paid work")),
        (r"no placements for profit", N_("no placements for profit")),
        (r"the organisation has no contact person", N_("the organisation has no contact person")),
        (
            r"the organisation has no liability insurance for volunteers",
            N_("the organisation has no liability insurance for volunteers"),
        ),
        (
            r"the organisation has not been admitted by the centrale",
            N_("the organisation has not been admitted by the centrale"),
        ),
        (
            r"the task needs a schedule: a one-off date or recurring shifts",
            N_("the task needs a schedule: a one-off date or recurring shifts"),
        ),
        (r"capacity must be at least 1 volunteer", N_("capacity must be at least 1 volunteer")),
        (r"the closing date has passed", N_("the closing date has passed")),
        (r"the one-off date has passed", N_("the one-off date has passed")),
        # Registration (registry).
        (
            r"under 16 a parent or guardian must consent too.*",
            N_("Under 16 a parent or guardian must agree too: tick the box."),
        ),
        # Hours (registry).
        (r"hours cannot be logged for a future date", N_("hours cannot be logged for a future date")),
        (
            r"hours cannot be logged for a day before the match was made",
            N_("hours cannot be logged for a day before the match was made"),
        ),
        (r"hours must be more than 0", N_("hours must be more than 0")),
        (
            r"at most 24 hours per day: (?P<logged>[0-9.]+) already logged on (?P<day>[0-9-]+)",
            N_("at most 24 hours a day: %(logged)s already logged on %(day)s"),
        ),
        # Accounts (registry).
        (r"the current password is not right", N_("the current password is not right")),
        (r"this code is not right.*", N_("this code is not right; check the app's clock and try the next code")),
        (r"a formal organisation needs its KvK number", N_("a formal organisation needs its KvK number")),
        # Checks of the request's fields (pydantic), the ones forms meet.
        (r"Field required", N_("Fill in this field.")),
        (r"String should have at least (?P<n>[0-9]+) characters?", N_("At least %(n)s characters.")),
        (r"String should have at most (?P<n>[0-9]+) characters?", N_("At most %(n)s characters.")),
        (r"value is not a valid email address.*", N_("Fill in an e-mail address like name@example.org.")),
        (r"not a Dutch postcode like .*", N_("Fill in a Dutch postcode like 3511 AB.")),
        (r"Input should be a valid date.*", N_("Fill in a date like 17-05-2026.")),
        (r"Input should be a valid (integer|number|decimal).*", N_("Fill in a number.")),
        (r"Input should be greater than (?P<n>[0-9.]+)", N_("Fill in more than %(n)s.")),
        (r"Input should be less than or equal to (?P<n>[0-9.]+)", N_("At most %(n)s.")),
        (r"String should match pattern .*", N_("This is not in the expected form.")),
    ]
]


def translate_reason(reason: str) -> str:
    """``reason`` in the current language when the portal knows it, else as the service said it."""
    for pattern, message in _REASONS:
        found = pattern.fullmatch(reason)
        if found:
            values = {k: v for k, v in found.groupdict().items() if v is not None}
            return gettext(message, **values) if values else gettext(message)
    return reason
