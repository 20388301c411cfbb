"""The four services' APIs as canned answers, for the portal's fast tier (the browser tier uses the real ones).

Each token names a person (``Session``); every call is recorded so tests can say which APIs a page asked, as whom.
Routes answer what the real services answer for the shapes the pages read; unknown routes answer 404.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import httpx

__all__ = ["FakeServices", "Session"]

TASK_ID = "6c3c1a8e-0000-4000-8000-000000000001"
MATCH_ID = "6c3c1a8e-0000-4000-8000-0000000000aa"
ORG_ID = "6c3c1a8e-0000-4000-8000-0000000000b1"
VOLUNTEER_ID = "6c3c1a8e-0000-4000-8000-0000000000c1"
PARTNER_ID = "6c3c1a8e-0000-4000-8000-0000000000d1"
SHIFT_IDS = ("6c3c1a8e-0000-4000-8000-0000000000e1", "6c3c1a8e-0000-4000-8000-0000000000e2")
SIGNUP_ID = "6c3c1a8e-0000-4000-8000-0000000000f1"


@dataclass(frozen=True)
class Session:
    """A logged-in person as ``GET /v1/sessions/current`` describes them."""

    role: str
    centrale_id: str | None = "vc-utrecht"
    subject_id: str | None = None
    name: str = "Fatima el Amrani"

    def current(self) -> dict[str, Any]:
        """The registry's answer for this session."""
        membership = {
            "membership_id": str(uuid4()),
            "role": self.role,
            "centrale_id": self.centrale_id,
            "centrale_name": "Vrijwilligerscentrale Utrecht" if self.centrale_id else None,
            "subject_id": self.subject_id,
            "subject_name": None,
            "since": "2026-01-01T00:00:00Z",
        }
        return {
            "session": {"id": str(uuid4()), "role": self.role, "centrale_id": self.centrale_id},
            "account": {"id": str(uuid4()), "name": self.name, "email": "f@example.org", "totp_enabled": True},
            "membership": membership,
            "memberships": [membership],
        }


def _task(**changes: Any) -> dict[str, Any]:
    task = {
        "id": TASK_ID,
        "url": f"http://registry/v1/vacatures/{TASK_ID}",
        "status": "published",
        "open": True,
        "title": "Boodschappenbus rijden",
        "summary": "Rijd op dinsdag de bus.",
        "description": "Rijd op dinsdagochtend de boodschappenbus voor ouderen uit de wijk naar de markt.",
        "offer": "Koffie en een vast team.",
        "asked": ["3 uur per week"],
        "organisation": "Buurthuis De Linde",
        "centrale_id": "vc-utrecht",
        "centrale": {
            "id": "vc-utrecht",
            "name": "VC Utrecht",
            "email": "info@vc.example",
            "phone": None,
            "website": None,
        },
        "theme": "ouderen",
        "skills": ["rijbewijs"],
        "area": {"pc4": "3511", "place": "Utrecht", "district": "Binnenstad"},
        "distance_km": 1.2,
        "kind": "structural",
        "schedule": ["Elke dinsdag, 09:00–12:00"],
        "shifts": [{"weekday": 2, "start": "09:00", "end": "12:00"}],
        "one_off_start": None,
        "one_off_end": None,
        "capacity": 2,
        "hours_per_week": "3.00",
        "vog_required": True,
        "team_suitable": False,
        "support_accessible": True,
        "closing_date": None,
        "published_at": "2026-01-05T10:00:00Z",
        "updated_at": None,
        "closed_at": None,
        "json_ld": {"@context": "https://schema.org", "@type": "JobPosting", "title": "</script><script>x()</script>"},
    }
    task.update(changes)
    return task


def _view(status: str = "proposed") -> dict[str, Any]:
    return {
        "match_id": MATCH_ID,
        "status": status,
        "via": "matching",
        "volunteer_id": VOLUNTEER_ID,
        "organisation_id": ORG_ID,
        "organisation_name": "Buurthuis De Linde",
        "proposed_at": "2026-01-06T10:00:00Z",
        "accepted_at": None,
        "agreed_at": None,
        "made_at": None,
        "ended_at": None,
        "end_reason": None,
        "task": {
            "id": TASK_ID,
            "title": "Boodschappenbus rijden",
            "description": "Rijd op dinsdagochtend de boodschappenbus.",
            "theme": "ouderen",
            "postcode": "3511 AB",
            "postcode_area": "3511",
            "shifts": [{"weekday": 2, "start": "09:00", "end": "12:00"}],
            "one_off_start": None,
            "one_off_end": None,
            "hours_per_week": "3.00",
            "vog_required": False,
            "closing_date": None,
        },
        "message": None,
        "contact": {"kind": "organisation", "name": "Anna de Boer", "email": "anna@example.org", "phone": None},
    }


@dataclass
class FakeServices:
    """An httpx transport answering as the registry, matching, appreciation and reporting would."""

    sessions: dict[str, Session] = field(default_factory=dict)
    # (method, service, path, token, JSON body) of every call, in order.
    calls: list[tuple[str, str, str, str | None, Any]] = field(default_factory=list)
    # The W3C traceparent header of every call, in order (None: the call carried none).
    traceparents: list[str | None] = field(default_factory=list)
    # (method, service host, path pattern) → answer; tests add or replace entries.
    routes: dict[tuple[str, str, str], Callable[[httpx.Request, re.Match[str]], httpx.Response]] = field(
        default_factory=dict
    )

    def __post_init__(self) -> None:
        self.answer(
            "GET",
            "registry",
            r"/v1/vacatures/facets",
            {
                "themes": [{"theme": "ouderen", "count": 1}],
                "centrales": [{"id": "vc-utrecht", "name": "Vrijwilligerscentrale Utrecht", "count": 1}],
            },
        )
        self.answer(
            "GET",
            "registry",
            r"/v1/vacatures",
            {
                "total": 1,
                "page": 1,
                "page_size": 10,
                "pages": 1,
                "items": [_task(title="Boodschappenbus <b>rijden</b>")],
                "links": {},
            },
        )
        self.answer("GET", "registry", rf"/v1/vacatures/{TASK_ID}", _task())
        self.answer(
            "GET",
            "registry",
            r"/v1/centrales/[a-z-]+/public-contact",
            {
                "id": "vc-utrecht",
                "name": "VC Utrecht",
                "email": "info@vc.example",
                "phone": "030 123 45 67",
                "website": None,
            },
        )
        self.answer(
            "GET", "registry", r"/v1/me/proposals", [_view("proposed"), {**_view("made"), "match_id": str(uuid4())}]
        )
        self.answer(
            "GET", "matching", r"/v1/me/proposals", [{"match_id": MATCH_ID, "reasons": ["vaardigheden 1/1: koken"]}]
        )
        self.answer("GET", "registry", r"/v1/me/check-ins", [])
        self.answer(
            "GET",
            "registry",
            r"/v1/me",
            {
                "id": VOLUNTEER_ID,
                "name": "Fatima",
                "email": "f@example.org",
                "skills": ["koken"],
                "interests": [],
                "languages": ["nl"],
                "availability": [{"weekday": 2, "start": "09:00", "end": "12:00"}],
                "commitment": "either",
                "needs_support": False,
                "consents": {"matching": {"granted": True}},
            },
        )
        self.answer(
            "GET",
            "registry",
            r"/v1/me/export",
            {"volunteer": {}, "matches": [], "hours": [], "access_log": [], "consent_history": []},
        )
        self.answer("GET", "registry", r"/v1/me/notification-preferences", {"proposal_new": "immediate"})
        self.answer(
            "GET",
            "appreciation",
            r"/v1/me/appreciation",
            {
                "total_hours": "12.5",
                "organisations": [],
                "awards": [{"title": "10 uur", "awarded_at": "2026-02-01T00:00:00Z"}],
            },
        )
        self.answer(
            "GET",
            "registry",
            rf"/v1/centrales/vc-utrecht/tasks/{TASK_ID}/shifts",
            {
                "task_id": TASK_ID,
                "parts": [],
                "patterns": [],
                "shifts": [
                    {"id": SHIFT_IDS[0], "starts_at": "2027-01-02T08:00:00Z", "ends_at": "2027-01-02T11:00:00Z",
                     "capacity": 2, "taken": 2, "left": 0, "waiting": 1, "mine": None},
                    {"id": SHIFT_IDS[1], "starts_at": "2027-02-06T08:00:00Z", "ends_at": "2027-02-06T11:00:00Z",
                     "capacity": 2, "taken": 1, "left": 1, "waiting": 0,
                     "mine": {"id": SIGNUP_ID, "status": "signed_up"}},
                ],
            },
        )  # fmt: skip
        base = rf"/v1/centrales/vc-utrecht/organisations/{ORG_ID}"
        self.answer("GET", "registry", rf"{base}/tasks", [_task(status="draft", id=TASK_ID)])
        self.answer("GET", "registry", rf"{base}/tasks/{TASK_ID}", _task(status="draft"))
        self.answer(
            "GET", "registry", rf"{base}/responses", [_view("agreed"), {**_view("made"), "match_id": str(uuid4())}]
        )
        self.answer("GET", "registry", rf"{base}/check-ins", [])
        self.answer("GET", "registry", rf"{base}/hours", [])
        self.answer("GET", "registry", rf"{base}/memberships", [])
        self.answer(
            "GET",
            "matching",
            rf"/v1/centrales/vc-utrecht/tasks/{TASK_ID}/proposals",
            [
                {
                    "match_id": MATCH_ID,
                    "volunteer_id": VOLUNTEER_ID,
                    "score": 0.9,
                    "reasons": ["afstand 0.4 km"],
                    "needs_consulent": False,
                    "status": "proposed",
                }
            ],
        )
        self.answer(
            "GET",
            "registry",
            r"/v1/centrales/vc-utrecht/organisations",
            [{"id": ORG_ID, "name": "Buurthuis De Linde", "status": "pending"}],
        )
        self.answer(
            "GET",
            "registry",
            rf"/v1/centrales/vc-utrecht/organisations/{ORG_ID}",
            {
                "id": ORG_ID,
                "name": "Buurthuis De Linde",
                "status": "pending",
                "formal": False,
                "contact_name": "Anna",
                "liability_insured": True,
                "for_profit": False,
            },
        )
        self.answer(
            "GET",
            "registry",
            r"/v1/centrales/vc-utrecht/volunteers",
            [
                {
                    "id": VOLUNTEER_ID,
                    "name": "Fatima el Amrani",
                    "registered_at": "2026-01-01T00:00:00Z",
                    "needs_support": True,
                }
            ],
        )
        self.answer(
            "GET",
            "registry",
            rf"/v1/centrales/vc-utrecht/volunteers/{VOLUNTEER_ID}",
            {
                "id": VOLUNTEER_ID,
                "name": "Fatima el Amrani",
                "email": None,
                "skills": ["koken"],
                "availability": [],
                "needs_support": True,
                "consents": {},
            },
        )
        self.answer("GET", "matching", rf"/v1/centrales/vc-utrecht/volunteers/{VOLUNTEER_ID}/proposals", [])
        self.answer("GET", "registry", r"/v1/centrales/vc-utrecht/early-warnings", [])
        self.answer("GET", "registry", r"/v1/centrales/vc-utrecht/call-list", [])
        self.answer("GET", "matching", r"/v1/centrales/vc-utrecht/proposals", [])
        self.answer(
            "GET",
            "registry",
            r"/v1/centrales/vc-utrecht/work-queue",
            {
                "organisations_to_vet": [{"id": ORG_ID, "name": "Buurthuis De Linde", "status": "pending"}],
                "early_warnings": [],
                "call_list": [],
            },
        )
        self.answer("GET", "matching", r"/v1/centrales/vc-utrecht/work-queue", {"to_approve": [], "unanswered": []})
        self.answer(
            "GET",
            "appreciation",
            r"/v1/centrales/vc-utrecht/rules",
            [{"rule_id": "hours-10", "title": "10 uur", "active": True}],
        )
        self.answer("GET", "registry", r"/v1/centrales/vc-utrecht/memberships", [])
        self.answer("GET", "reporting", r"/v1/me/municipality", {"code": "GM0344", "name": "Utrecht"})
        figures = {
            "scope": {"kind": "municipality", "id": "GM0344", "name": "Utrecht"},
            "period": {"label": "2026", "name": "2026", "first_month": "2026-01", "last_month": "2026-12"},
            "generated_at": "2026-03-01T00:00:00Z",
            "headline": [
                {
                    "kpi": "volunteers_new",
                    "label": "Nieuwe vrijwilligers",
                    "explanation": "",
                    "unit": "personen",
                    "value": "<5",
                }
            ],
            "tables": [
                {
                    "id": "months",
                    "title": "Per maand",
                    "caption": "Per maand",
                    "row_header": "Maand",
                    "columns": [{"key": "hours", "label": "Uren", "unit": "uren"}],
                    "rows": [{"key": "2026-01", "label": "januari", "values": {"hours": 12.5}}],
                    "total": None,
                }
            ],
        }
        self.answer("GET", "reporting", r"/v1/municipalities/GM0344/figures", figures)
        self.answer(
            "GET",
            "reporting",
            r"/v1/municipalities/GM0344/reports/[0-9Q-]+",
            {
                "municipality_code": "GM0344",
                "municipality_name": "Utrecht",
                "status": "provisional",
                "agreement": None,
                "targets": [],
                "figures": figures,
            },
        )
        self.answer("GET", "reporting", r"/v1/municipalities/GM0344/agreements", [])
        self.answer(
            "GET",
            "registry",
            r"/v1/volunteer-days",
            [
                {
                    "id": str(uuid4()),
                    "external_ref": "HR-1",
                    "team_size": 8,
                    "on_date": "2027-03-12",
                    "status": "matched",
                    "hours_logged": "36.00",
                }
            ],
        )
        self.answer(
            "GET",
            "registry",
            r"/v1/centrales",
            [{"id": "vc-utrecht", "name": "VC Utrecht", "municipality_code": "GM0344"}],
        )
        self.answer("GET", "registry", r"/v1/account/sessions", [])

    def answer(self, method: str, service: str, path: str, body: Any, status: int = 200) -> None:
        """Answer ``method path`` on ``service`` with ``body`` as JSON."""
        self.routes[(method, service, path)] = lambda _request, _match: httpx.Response(status, json=body)

    def refuse(self, method: str, service: str, path: str, status: int, body: Any = None) -> None:
        """Answer ``method path`` with an error status."""
        self.answer(method, service, path, body if body is not None else {"detail": "refused"}, status)

    def login(self, token: str, session: Session) -> None:
        """Make ``token`` a session of ``session``'s person."""
        self.sessions[token] = session

    def transport(self) -> httpx.MockTransport:
        """The transport the portal's backend uses in the fast tier."""
        return httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        service = {"8001": "registry", "8002": "matching", "8003": "appreciation", "8004": "reporting"}[
            str(request.url.port)
        ]
        token = request.headers.get("authorization", "").removeprefix("Bearer ") or None
        body = json.loads(request.content) if request.content else None
        self.calls.append((request.method, service, request.url.path, token, body))
        self.traceparents.append(request.headers.get("traceparent"))
        if request.url.path == "/v1/sessions/current" and request.method == "GET":
            session = self.sessions.get(token or "")
            if session is None:
                return httpx.Response(401, json={"detail": "unknown or revoked token"})
            return httpx.Response(200, json=session.current())
        for (method, owner, pattern), handler in self.routes.items():
            if method == request.method and owner == service:
                match = re.fullmatch(pattern, request.url.path)
                if match:
                    return handler(request, match)
        return httpx.Response(404, json={"detail": "not found"})
