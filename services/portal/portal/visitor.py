"""Who is looking at a page: anonymous, or a person logged in as one of their memberships (role, centrale, record).

The registry knows: every page of a logged-in person starts with ``GET /v1/sessions/current``, which also
keeps the session from ending idle. The portal keeps no copy; the answer lives for one request.
"""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ROLE_HOME", "Membership", "SessionMemberships", "Visitor", "checked_visitor"]

# Where each role starts after logging in.
ROLE_HOME = {
    "volunteer": "/vrijwilliger",
    "organisation": "/organisatie",
    "centrale_staff": "/consulent",
    "municipality_reader": "/gemeente",
    "business_partner": "/bedrijf",
    "region_ops": "/beheer",
}


@dataclass(frozen=True)
class Membership:
    """What a person may act as: a role, in a centrale, for a record (organisation, volunteer, partner)."""

    membership_id: str | None
    role: str
    centrale_id: str | None
    centrale_name: str | None
    subject_id: str | None
    subject_name: str | None

    @classmethod
    def of(cls, data: dict[str, Any]) -> Membership:
        """From the registry's membership record."""
        return cls(
            membership_id=_text(data.get("membership_id")),
            role=str(data["role"]),
            centrale_id=_text(data.get("centrale_id")),
            centrale_name=_text(data.get("centrale_name")),
            subject_id=_text(data.get("subject_id")),
            subject_name=_text(data.get("subject_name")),
        )


@dataclass(frozen=True)
class Visitor:
    """The person behind a request (``token`` None: anonymous)."""

    token: str | None = None
    account_id: str | None = None
    name: str | None = None
    email: str | None = None
    totp_enabled: bool = False
    membership: Membership | None = None
    memberships: tuple[Membership, ...] = field(default_factory=tuple)

    @classmethod
    def of_session(cls, token: str, current: dict[str, Any]) -> Visitor:
        """From ``GET /v1/sessions/current``."""
        account = current.get("account") or {}
        session = current.get("session") or {}
        membership = current.get("membership") or {
            "membership_id": session.get("membership_id"),
            "role": session.get("role"),
            "centrale_id": session.get("centrale_id"),
            "subject_id": session.get("subject_id"),
        }
        return cls(
            token=token,
            account_id=_text(account.get("id")),
            name=_text(account.get("name")),
            email=_text(account.get("email")),
            totp_enabled=bool(account.get("totp_enabled")),
            membership=Membership.of(membership),
            memberships=tuple(Membership.of(m) for m in current.get("memberships") or ()),
        )

    @property
    def logged_in(self) -> bool:
        """Whether a person is logged in."""
        return self.membership is not None

    @property
    def role(self) -> str | None:
        """The role acted as."""
        return self.membership.role if self.membership else None

    @property
    def centrale_id(self) -> str:
        """The centrale acted for (empty for region-wide roles)."""
        return (self.membership.centrale_id if self.membership else None) or ""

    @property
    def subject_id(self) -> str:
        """The organisation, volunteer or partner acted as (empty where the role has none)."""
        return (self.membership.subject_id if self.membership else None) or ""

    @property
    def home(self) -> str:
        """The start page of the role acted as."""
        return ROLE_HOME.get(self.role or "", "/")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


class SessionMemberships:
    """What a session acts as (role, centrale, record: ids and organisational names, never a person's), kept a
    minute in memory by a digest of its token, so a page can call the services while the registry confirms the
    session. Forgotten on logout or refusal; bounded in size (the oldest go first)."""

    def __init__(self, ttl_s: float = 60.0, size: int = 10_000) -> None:
        self._ttl_s = ttl_s
        self._size = size
        self._entries: OrderedDict[str, tuple[float, Membership]] = OrderedDict()

    @staticmethod
    def _key(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def get(self, token: str) -> Membership | None:
        """The session's membership, if seen within the last minute."""
        entry = self._entries.get(self._key(token))
        if entry is None or time.monotonic() - entry[0] > self._ttl_s:
            return None
        return entry[1]

    def put(self, token: str, membership: Membership | None) -> None:
        """Remember what the registry said the session acts as."""
        if membership is None:
            return
        key = self._key(token)
        self._entries.pop(key, None)
        self._entries[key] = (time.monotonic(), membership)
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)

    def forget(self, token: str) -> None:
        """Forget a session (logged out, refused)."""
        self._entries.pop(self._key(token), None)


def checked_visitor(state: Any) -> Visitor:
    """The visitor for a page's header (``state``: the request's): the registry's full answer once it has come
    (its check runs beside the page's calls), else what is remembered of the session."""
    visitor: Visitor = getattr(state, "visitor", None) or Visitor()
    check = getattr(state, "session_check", None)
    if visitor.token and check is not None and check.done() and not check.cancelled() and check.exception() is None:
        return Visitor.of_session(visitor.token, check.result())
    return visitor
