"""The tenant matrix: every operation of every service, by every role of tenant A (and nobody), aimed at B.

Each operation's path is filled with tenant B's ids and, where it takes a body, a valid one naming B's
records, so the request passes validation and reaches the route's tenant rule. A request naming B's records
in its path must get 401, 403 or 404 (two public certificate routes excepted, which hold no personal data);
no reply, to any request, may carry B's ids or the personal values B's people gave.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from common.clock import dutch_today
from tests.fuzz.conftest import ROLES, SERVICES, Region, Tenant

pytestmark = [pytest.mark.integration, pytest.mark.e2e, pytest.mark.fuzz]

# Path parameters that name a tenant's record: filled with B's, so the request is about B.
_TENANT_PARAMETERS = (
    "centrale_id",
    "organisation_id",
    "volunteer_id",
    "task_id",
    "match_id",
    "hours_id",
    "day_id",
    "partner_id",
    "certificate_id",
    "credential_id",
    "delivery_id",
    "event_id",
    "offer_id",
    "request_id",
    "deal_id",
    "training_id",
    "booking_id",
    "shift_id",
    "signup_id",
    "code",
)
# Public by design: anyone holding a certificate may check it (totals and the issuing centrale, no personal
# data), and anyone may register as a volunteer with any centrale (the reply is their own new credential).
# Also public: the vacaturebank (published tasks, region-wide and per centrale) and a centrale's public contact.
_PUBLIC = {
    ("appreciation", "GET", "/v1/certificates/{certificate_id}"),
    ("appreciation", "POST", "/v1/certificates/{certificate_id}/verify"),
    ("registry", "POST", "/v1/centrales/{centrale_id}/volunteers/self-registration"),
    ("registry", "GET", "/v1/vacatures"),
    ("registry", "GET", "/v1/vacatures/facets"),
    ("registry", "GET", "/v1/vacatures/feed.json"),
    ("registry", "GET", "/v1/vacatures/feed.atom"),
    ("registry", "GET", "/v1/vacatures/{task_id}"),
    ("registry", "GET", "/v1/centrales/{centrale_id}/vacatures/feed.json"),
    ("registry", "GET", "/v1/centrales/{centrale_id}/vacatures/feed.atom"),
    ("registry", "GET", "/v1/centrales/{centrale_id}/public-contact"),
}
# A body may name another centrale's records where that is the point: a partner's team day may prefer any
# centrale of the region (partners are region-wide).
_BODY_MAY_NAME_B = {("registry", "POST", "/v1/volunteer-days")}
# Open to a business partner on every centrale's Beursvloer floor: companies are region-wide (ops register
# them, not a centrale) and take part in any centrale's evenings; the board and the evenings name companies and
# organisations, never a contact (personal values are still checked).
_PARTNER_ON_ANY_FLOOR = {
    ("registry", "GET", "/v1/centrales/{centrale_id}/beursvloer/board"),
    ("registry", "GET", "/v1/centrales/{centrale_id}/beursvloer/events"),
    ("registry", "GET", "/v1/centrales/{centrale_id}/beursvloer/events/{event_id}/board"),
    ("registry", "POST", "/v1/centrales/{centrale_id}/beursvloer/offers"),
}
_REFUSED = {401, 403, 404}
# An id nothing has (for path parameters that name no tenant's record: sessions, memberships, runs).
_NOBODY = "00000000-0000-4000-8000-000000000000"
# Path parameters that scope a request to a tenant; the records under them are the other parameters.
_SCOPES = {"centrale_id", "code"}


def _bodies(b: Tenant) -> dict[str, Any]:
    """A valid body per request schema, naming B's records wherever a body names one."""
    today = dutch_today()
    task = {
        "title": "Koken in het buurthuis",
        "description": "Samen koken voor ouderen uit de wijk.",
        "theme": "ouderen",
        "shifts": [{"weekday": 2, "start": "09:00", "end": "12:00"}],
        "capacity": 1,
        "hours_per_week": "2",
        "vog_required": False,
    }
    at = datetime.now(UTC) + timedelta(days=60)
    until, later = (at + timedelta(hours=2)).isoformat(), (today + timedelta(days=70)).isoformat()
    posting = {"category": "hands", "description": "Matrix", "hours": "2", "event_id": b.ids["event_id"]}
    payment = {"volunteer_id": b.ids["volunteer_id"], "paid_on": today.isoformat(), "amount": "10.00"}
    return {
        "CentraleIn": {"id": "vc-matrix-probe", "name": "Probe", "municipality_code": "GM0344"},
        "StaffCredentialIn": {"label": "matrix"},
        "PartnerIn": {"name": "Matrix partner"},
        "LabelIn": {"label": "matrix"},
        "OrganisationIn": {"name": "Matrix org", "formal": False},
        "RefusalIn": {"reason": "matrix probe"},
        "VolunteerIn": {"name": "Matrix Probe"},
        "VolunteerPatch": {"max_distance_km": 5},
        "ConsentChangeIn": {"kind": "matching", "granted": False, "text_version": "2026-01"},
        "VogIn": {"verified_on": today.isoformat(), "verified_by": "matrix", "valid_until": today.isoformat()},
        "TaskIn": task,
        "HoursIn": {"worked_on": today.isoformat(), "hours": "1"},
        "DayHoursIn": {"participants": 2, "hours_total": "4"},
        "VolunteerDayIn": {
            "external_ref": "matrix",
            "team_size": 2,
            "on_date": (today + timedelta(days=20)).isoformat(),
            "centrale_id": b.centrale_id,
        },
        "TemplateIn": {"subject": "Dank je, $naam", "body": "Beste $naam, dank je wel. $centrale"},
        "InterestIn": {"task_id": b.ids["task_id"]},
        "PostcodeAreas": [{"pc4": "3511", "lat": 52.0907, "lon": 5.1214}],
        "RuleIn": {"rule_id": "matrix-1", "kind": "hours_milestone", "title": "Matrix", "params": {"hours": 5}},
        "RulePatch": {"active": False},
        "DisplayNameIn": {"display_name": "Matrix centrale"},
        "CertificateIn": {"name": "Matrix Probe"},
        "PaymentCheckIn": payment,
        "PaymentIn": {**payment, "reference": "matrix"},
        "AgreementIn": {"title": "Matrix", "kpis": [{"kpi": "volunteers_active", "target": 1}]},
        "CentraleMunicipality": {"municipality_code": "GM0355", "municipality_name": "Matrix"},
        # Accounts and sessions (issue 13): credentials that match nobody.
        "SelfRegistrationIn": {"name": "Matrix Probe"},
        "LoginIn": {"email": "nobody@example.org", "password": "not-the-password-1"},
        "EnrolmentIn": {"ticket": "not-a-ticket-at-all", "code": "123456"},
        "SwitchIn": {"membership_id": _NOBODY},
        "InvitationIn": {"role": "centrale_staff", "centrale_id": b.centrale_id, "email": "matrix@example.org"},
        "PasswordIn": {"token": "not-a-token-at-all", "password": "a-long-new-password-1"},
        "ResetIn": {"email": "nobody@example.org"},
        "ChangePasswordIn": {"current_password": "not-the-password-1", "new_password": "a-long-new-password-1"},
        "TotpCodeIn": {"code": "123456"},
        # The vacaturebank, the match conversation and follow-up (issue 14).
        "PublicContactIn": {"email": "info@example.org"},
        "MessageIn": {"text": "Hallo"},
        "CentraleContactIn": {"name": "Matrix", "email": "matrix@example.org"},
        "CheckInAnswerIn": {"answer": "good"},
        "PreferencesIn": {"proposal_new": "digest"},
        "NoticeTemplateIn": {"subject": "Hallo", "body": "Beste vrijwilliger"},
        "ResponseIn": {"task_id": b.ids["task_id"], "via": "put_forward", "agreement": {"how": "phone"}},
        # Matching's AgreementIn (a volunteer's agreement) shares its name with reporting's.
        "matching:AgreementIn": {"how": "phone"},
        "EndIn": {"reason": "moved"},
        "DistrictsIn": {"districts": [{"postcode_area": "3511", "district_code": "WK034401", "district_name": "X"}]},
        "NldoetDaysIn": {"days": [(today + timedelta(days=90)).isoformat()]},
        # Team days and hours loose ends: partners' webhooks, the matching of a team day, hours rejected or
        # corrected. The registry's two FollowUpIn (a centrale's follow-up, a deal's) share a name.
        "WebhookIn": {"url": "https://hr.example.invalid/matrix"},
        "AssignTeamDayIn": {"task_id": b.ids["task_id"]},
        "HoursRejectionIn": {"reason": "not_worked"},
        "HoursCorrectionIn": {"hours": "1", "reason": "typing_error"},
        "registry__api__follow_up__FollowUpIn": {"check_ins": ["P2W"], "unanswered_after_days": 7},
        # The programmes: the Beursvloer and trainings, naming B's records where a body names one.
        "BeursEventIn": {"title": "Matrix", "place": "Stadhuis", "starts_at": at.isoformat(), "ends_at": until},
        "OfferIn": {**posting, "partner_id": b.ids["partner_id"]},
        "RequestIn": {**posting, "organisation_id": b.ids["organisation_id"]},
        "DealIn": {"offer_id": b.ids["offer_id"], "request_id": b.ids["request_id"], "due_on": later},
        "registry__api__beursvloer__FollowUpIn": {"side": "partner", "outcome": "done"},
        "SettleIn": {"outcome": "done"},
        "ContactIn": {"name": "Matrix", "email": "matrix@example.org"},
        "TrainingIn": {
            "title": "Matrix",
            "description": "Een training van de matrix.",
            "audience": "both",
            "sessions": [{"starts_at": at.isoformat(), "ends_at": until}],
            "place": "Buurthuis",
            "capacity": 1,
        },
        "BookingIn": {"volunteer_id": b.ids["volunteer_id"]},
        # A volunteer or an organisation books for itself (naming someone is staff's, refused with 422 before
        # the tenant rule), so their body names nobody.
        "volunteer:BookingIn": {},
        "organisation:BookingIn": {"seats": 1},
        "AttendanceIn": {"entries": [{"booking_id": b.ids["booking_id"], "attended": True}]},
        # Privacy: a guardian's consent (recorded by staff, or given through a mailed link) and a volunteer
        # reconfirming their record; the links' tokens match nobody.
        "GuardianConsentRecordIn": {"name": "Matrix Ouder", "relation": "parent", "text_version": "2026-01"},
        "GuardianConsentIn": {"token": "not-a-token-at-all", "text_version": "2026-01"},
        "ReconfirmIn": {"token": "not-a-token-at-all"},
        # Shifts: a part, a pattern of dated shifts, and a sign-up (staff name the volunteer; a volunteer signs up
        # for themselves with an empty body).
        "PartIn": {"title": "Matrix", "capacity": 1},
        "PatternIn": {
            "rule": "FREQ=WEEKLY;COUNT=2",
            "starts_on": (today + timedelta(days=30)).isoformat(),
            "start": "09:00",
            "end": "12:00",
        },
        "SignupIn": {"volunteer_id": b.ids["volunteer_id"]},
        "volunteer:SignupIn": {},
    }


def _path_values(b: Tenant) -> dict[str, str]:
    return {
        "centrale_id": b.centrale_id,
        "code": b.municipality_code,
        **b.ids,
        "period": "2026",
        "chart": "trends",
        "kind": "default",
        "name": "expire-tasks",
        "run_id": _NOBODY,
        "check_in_id": _NOBODY,
        "membership_id": _NOBODY,
        "session_id": _NOBODY,
        "notice_id": _NOBODY,
        "token": "not-a-feed-token",
        "fmt": "csv",
    }


# Values of the query parameters an operation requires.
_QUERY = {"from": "2026-01-01", "to": "2026-03-31", "period": "2026", "since": "2026-01-01", "until": "2026-12-31"}


def _query(operation: dict[str, Any]) -> dict[str, str]:
    required = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query" and p.get("required")]
    return {name: _QUERY[name] for name in required}


# An import's upload (a dry run, the default), as bytes so the matrix can read back what it sent.
_BOUNDARY = "matrix-upload"
_UPLOAD = (
    f'--{_BOUNDARY}\r\nContent-Disposition: form-data; name="source"\r\n\r\nmatrix\r\n'
    f'--{_BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="matrix.csv"\r\n'
    f"Content-Type: text/csv\r\n\r\nvoornaam;achternaam\r\nMatrix;Probe\r\n--{_BOUNDARY}--\r\n"
).encode()


def _request_body(service: str, role: str, operation: dict[str, Any], bodies: dict[str, Any]) -> dict[str, Any]:
    """httpx arguments for the operation's body: JSON of its schema, or a PDF for certificate checks."""
    content = operation.get("requestBody", {}).get("content", {})
    if not content:
        return {}
    if "application/pdf" in content:
        return {"content": b"%PDF-1.4 not a certificate", "headers": {"Content-Type": "application/pdf"}}
    if "multipart/form-data" in content:
        return {"content": _UPLOAD, "headers": {"Content-Type": f"multipart/form-data; boundary={_BOUNDARY}"}}
    schema = content["application/json"]["schema"]
    name = schema["$ref"].rsplit("/", 1)[-1] if "$ref" in schema else "PostcodeAreas"
    return {"json": bodies.get(f"{role}:{name}", bodies.get(f"{service}:{name}", bodies.get(name)))}


def _names_b(body: str, b: Tenant) -> bool:
    """Whether a request body names one of B's records (its centrale, a volunteer, a task)."""
    return any(value in body for value in (b.centrale_id, *b.ids.values()))


def _leaks(reply: str, request: str, b: Tenant, *, public: bool) -> list[str]:
    """B's personal values, and B's ids the request did not itself name, found in a reply."""
    named = [] if public else [value for value in (b.centrale_id, *b.ids.values()) if value not in request]
    return [value for value in (*named, *b.personal_values) if value in reply]


async def test_no_role_of_one_tenant_reaches_another_tenants_records(region: Region) -> None:
    a, b = region.a, region.b
    bodies, values = _bodies(b), _path_values(b)
    own_scope = {"centrale_id": a.centrale_id, "code": a.municipality_code}
    callers: dict[str, dict[str, str]] = {role: a.headers(role) for role in ROLES} | {"anonymous": {}}
    violations: list[str] = []
    statuses: Counter[int] = Counter()
    attempts = 0
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=30) as http:
        operations = []
        for service in SERVICES:
            document = (await http.get(f"{region.url(service)}/openapi.json")).json()
            for path, items in document["paths"].items():
                for method, operation in items.items():
                    if not path.startswith("/health"):
                        operations.append((service, method.upper(), path, operation))
        # Erasing oneself last: A's volunteer would otherwise lose its token for the operations after it.
        operations.sort(key=lambda item: (item[1] == "DELETE" and item[2] == "/v1/me", item[0], item[2]))
        requests = []
        for service, method, path, operation in operations:
            names = re.findall(r"{(\w+)}", path)
            about_b = any(name in _TENANT_PARAMETERS for name in names)
            requests.append((service, method, path, operation, names, about_b, values))
            # A's own centrale (or municipality) in the path with B's records under it: the issue's
            # proposals route answered 200 [] for exactly this.
            if about_b and set(names) & _SCOPES and set(names) & (set(_TENANT_PARAMETERS) - _SCOPES):
                requests.append((service, method, path, operation, names, about_b, values | own_scope))
        for service, method, path, operation, names, about_b, filled in requests:
            if "/notice-templates/" in path:
                filled = filled | {"kind": "proposal_new"}
            if "/imports/" in path or "/exports/" in path:
                filled = filled | {"kind": "volunteers"}
            url = region.url(service) + path.format(**{name: filled[name] for name in names})
            for role, headers in callers.items():
                arguments = _request_body(service, role, operation, bodies)
                arguments_sent = str(arguments.get("json", ""))
                response = await http.request(
                    method,
                    url,
                    params=_query(operation),
                    headers={**headers, **arguments.pop("headers", {})},
                    **arguments,
                )
                attempts += 1
                statuses[response.status_code] += 1
                where = f"{role} of A: {method} {path} → {response.status_code}"
                public = (service, method, path) in _PUBLIC or (
                    role == "partner" and (service, method, path) in _PARTNER_ON_ANY_FLOOR
                )
                names_b = _names_b(arguments_sent, b) and (service, method, path) not in _BODY_MAY_NAME_B
                if response.status_code >= 500:
                    violations.append(f"{where}: server error")
                elif (about_b or names_b) and not public and response.status_code not in _REFUSED:
                    violations.append(f"{where}: {response.text[:160]}")
                sent = str(response.request.url) + response.request.content.decode("utf-8", "replace")
                if leaked := _leaks(response.text, sent, b, public=public):
                    violations.append(f"{where}: B's data in the reply ({len(leaked)} values)")
    elapsed = time.monotonic() - started
    # The tier reports its size and time in the test log (pytest -s, or the report's captured output).
    print(
        f"\ntenant matrix: {attempts} requests ({len(requests)} paths over {len(operations)} operations,"
        f" {len(callers)} callers)"
        f" in {elapsed:.1f} s (set-up {region.setup_s:.1f} s); statuses {dict(sorted(statuses.items()))}"
    )
    assert violations == [], "\n".join(violations)
    assert attempts == len(requests) * len(callers)
    assert len(operations) > 150
