"""The HTTP guard every service runs behind, on a small service of its own over real PostgreSQL.

Hostile text, oversized bodies, echoing validation replies, anonymous 500s, missing security headers and
rate limits, each shown on a probe service whose routes exist only to be attacked.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import httpx
import pytest
import structlog
from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from common.auth import CallerDep
from common.clock import ManualClock
from common.logging import configure_logging
from common.ratelimit import limit_per_client
from common.service import ServiceSpec, create_service_app
from common.settings import ServiceSettings

pytestmark = pytest.mark.integration

OPS_TOKEN = secrets.token_urlsafe(32)


class ProbeSettings(ServiceSettings):
    """Settings of the probe service."""

    @property
    def service_name(self) -> str:
        """Name of the service."""
        return "probe"


class Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    labels: list[str] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict)


class ThingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=200)
    email: EmailStr | None = None
    inner: Inner = Field(default_factory=Inner)


router = APIRouter(prefix="/v1")


@router.post("/things/{thing_id}", status_code=201)
async def create_thing(thing_id: str, body: ThingIn, caller: CallerDep) -> dict[str, str]:
    return {"id": thing_id, "name": body.name}


@router.get("/things")
async def find_things(caller: CallerDep, q: Annotated[str, Query(max_length=100)] = "") -> list[str]:
    return [q]


@router.get("/boom")
async def boom() -> None:
    raise RuntimeError("a bug nobody caught")


@router.get("/limited", dependencies=[Depends(limit_per_client(lambda s: s.self_registration_limit))])
async def limited() -> dict[str, bool]:
    return {"ok": True}


@dataclass
class Probe:
    http: httpx.AsyncClient
    clock: ManualClock
    ops: dict[str, str]


@pytest.fixture
async def probe(fresh_database: str, tmp_path: Path) -> AsyncIterator[Probe]:
    """The probe service on a fresh database; 3 failed authentications and 2 limited calls per minute."""
    clock = ManualClock(datetime(2026, 6, 1, 12, tzinfo=UTC))
    settings = ProbeSettings(
        database_url=fresh_database,
        ops_token=OPS_TOKEN,
        max_body_bytes=4096,
        rate_limit_failed_auth="3/60",
        rate_limit_self_registration="2/60",
    )
    migrations = tmp_path / "probe" / "migrations"
    migrations.mkdir(parents=True)
    app = create_service_app(settings, ServiceSpec(name="probe", migrations=migrations, routers=[router]), clock=clock)
    async with app.router.lifespan_context(app):
        # raise_app_exceptions=False: the reply a client gets, as a real server sends it.
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://probe") as http:
            yield Probe(http=http, clock=clock, ops={"Authorization": f"Bearer {OPS_TOKEN}"})


async def _post(probe: Probe, raw: bytes, path: str = "/v1/things/t1") -> httpx.Response:
    return await probe.http.post(path, content=raw, headers={**probe.ops, "Content-Type": "application/json"})


@pytest.mark.parametrize(
    ("raw", "loc"),
    [
        (b'{"name": "a\\u0000b"}', ["body", "name"]),
        (b'{"name": "\\ud800"}', ["body", "name"]),
        (b'{"name": "ok", "inner": {"labels": ["fine", "x\\u0000"]}}', ["body", "inner", "labels", 1]),
        (
            b'{"name": "ok", "inner": {"extra": {"deep": [{"k": "\\udfff tail"}]}}}',
            ["body", "inner", "extra", "deep", 0, "k"],
        ),
        # A lone surrogate as raw bytes (CESU-style UTF-8), which json.loads lets through as well.
        (b'{"name": "\xed\xa0\x80"}', ["body", "name"]),
    ],
)
async def test_nul_and_lone_surrogates_anywhere_in_a_json_body_get_422_naming_the_field(
    probe: Probe, raw: bytes, loc: list[Any]
) -> None:
    response = await _post(probe, raw)
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == [
        {"loc": loc, "msg": "must not contain a NUL character or a lone surrogate", "type": "invalid_characters"}
    ]


async def test_a_key_with_a_lone_surrogate_is_named_escaped_so_the_reply_stays_encodable(probe: Probe) -> None:
    response = await _post(probe, b'{"name": "ok", "inner": {"extra": {"\\ud800": 1}}}')
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "inner", "extra", "\\ud800"]


async def test_nul_in_the_query_string_or_the_path_gets_422_naming_the_parameter(probe: Probe) -> None:
    query = await probe.http.get("/v1/things", params={"q": "a\x00b"}, headers=probe.ops)
    assert query.status_code == 422
    assert query.json()["detail"][0]["loc"] == ["query", "q"]
    path = await _post(probe, b'{"name": "ok"}', path="/v1/things/t%001")
    assert path.status_code == 422
    assert path.json()["detail"][0]["loc"] == ["path", "thing_id"]


async def test_nul_in_a_form_field_gets_422_naming_the_field(probe: Probe) -> None:
    response = await probe.http.post(
        "/v1/things/t1",
        content=b"name=Jan&note=a%00b",
        headers={**probe.ops, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "note"]


async def test_a_body_that_is_not_utf8_is_invalid_input_not_a_bad_request(probe: Probe) -> None:
    response = await _post(probe, b'{"name": "\xff\xfe"}')
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body"]


async def test_clean_text_in_other_scripts_passes(probe: Probe) -> None:
    response = await _post(probe, json.dumps({"name": "Fatima el Amrani فاطمة 😊"}).encode())
    assert response.status_code == 201, response.text


async def test_a_body_over_the_limit_gets_413_before_it_is_parsed(probe: Probe) -> None:
    # Not even JSON: it would be a 422 if anything had parsed it.
    declared = await _post(probe, b"x" * 5000)
    assert declared.status_code == 413
    assert "4096" in declared.json()["detail"]

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(10):
            yield b"y" * 1000

    # Streamed without a Content-Length: counted as it arrives.
    streamed = await probe.http.post(
        "/v1/things/t1", content=chunks(), headers={**probe.ops, "Content-Type": "application/json"}
    )
    assert streamed.status_code == 413
    assert (await _post(probe, json.dumps({"name": "x" * 150}).encode())).status_code == 201


async def test_validation_replies_name_the_field_but_never_repeat_the_value(probe: Probe) -> None:
    secret = f"geheim-{secrets.token_hex(4)}"
    response = await _post(probe, json.dumps({"name": secret * 40, "email": f"{secret}@", "unknown": secret}).encode())
    assert response.status_code == 422
    assert secret not in response.text
    details = response.json()["detail"]
    assert {tuple(item["loc"]) for item in details} == {("body", "name"), ("body", "email"), ("body", "unknown")}
    assert all(set(item) == {"loc", "msg", "type"} for item in details)


@contextmanager
def json_logs() -> Iterator[None]:
    """The services' JSON logging (to the captured stdout) for the block; the test session's afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    configure_logging("probe")
    try:
        yield
    finally:
        structlog.reset_defaults()
        structlog.contextvars.clear_contextvars()
        root.handlers[:] = handlers
        root.setLevel(level)


async def test_an_unhandled_error_is_a_500_with_the_correlation_id_and_a_logged_stack_trace(
    probe: Probe, capsys: pytest.CaptureFixture[str]
) -> None:
    correlation_id = "6d1f7c3e-95a7-4b1e-9f39-0d3c52f0c0a1"
    with json_logs():
        response = await probe.http.get("/v1/boom", headers={"X-Correlation-ID": correlation_id})
    assert response.status_code == 500
    assert response.json() == {"detail": "internal server error", "correlation_id": correlation_id}
    assert response.headers["x-correlation-id"] == correlation_id
    out = capsys.readouterr().out
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    failure = next(line for line in lines if line.get("event") == "request_failed")
    assert failure["correlation_id"] == correlation_id
    assert "Traceback (most recent call last)" in failure["exception"]
    assert "RuntimeError: a bug nobody caught" in failure["exception"]
    assert "traceback object at" not in out


def test_a_librarys_logged_exception_is_rendered_as_a_stack_trace(capsys: pytest.CaptureFixture[str]) -> None:
    with json_logs():
        try:
            raise ValueError("inside the server")
        except ValueError:
            # What uvicorn does with an exception escaping the app.
            logging.getLogger("uvicorn.error").exception("Exception in ASGI application")
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert "Traceback (most recent call last)" in line["exception"]
    assert "exc_info" not in line


SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
}


async def test_every_response_carries_the_security_headers_and_no_server_banner(probe: Probe) -> None:
    responses = [
        await probe.http.get("/health/live"),
        await probe.http.get("/v1/things", headers=probe.ops),
        await probe.http.get("/v1/things"),  # 401
        await probe.http.get("/v1/nothing-here"),  # 404
        await _post(probe, b'{"name": 1}'),  # 422
        await _post(probe, b"x" * 5000),  # 413
        await probe.http.get("/v1/boom"),  # 500
        await probe.http.get("/openapi.json"),
    ]
    for response in responses:
        for name, value in SECURITY_HEADERS.items():
            assert response.headers.get(name) == value, (response.request.url, response.status_code, name)
        policy = response.headers["content-security-policy"]
        assert "frame-ancestors 'none'" in policy
        assert "default-src 'none'" in policy
        assert "server" not in response.headers
        assert response.headers["x-correlation-id"]


async def test_the_api_docs_load_only_local_assets(probe: Probe) -> None:
    page = await probe.http.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text
    assert "https://" not in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    for asset in ("/docs/assets/swagger-ui-bundle.js", "/docs/assets/swagger-ui.css", "/docs/assets/swagger-init.js"):
        loaded = await probe.http.get(asset)
        assert loaded.status_code == 200, asset
        assert len(loaded.content) > 100, asset
        assert loaded.headers["x-content-type-options"] == "nosniff"
    redoc = await probe.http.get("/redoc")
    assert "/docs/assets/redoc.standalone.js" in redoc.text
    assert "https://" not in redoc.text
    assert (await probe.http.get("/docs/assets/..%2fguard.py")).status_code == 404


async def test_the_openapi_document_lists_each_operations_errors(probe: Probe) -> None:
    paths = (await probe.http.get("/openapi.json")).json()["paths"]
    create = paths["/v1/things/{thing_id}"]["post"]["responses"]
    assert {"401", "403", "404", "413", "422", "429"} <= set(create)
    assert create["422"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/ValidationErrors"
    schemas = (await probe.http.get("/openapi.json")).json()["components"]["schemas"]
    assert set(schemas["ValidationErrors"]["properties"]["detail"]["items"]["properties"]) == {"loc", "msg", "type"}
    assert "HTTPValidationError" not in schemas
    assert "Retry-After" in create["429"]["headers"]
    assert set(paths["/health/live"]["get"]["responses"]) == {"200"}
    assert "429" in paths["/v1/limited"]["get"]["responses"]


async def test_failed_authentications_from_one_address_get_429_until_the_window_ends(probe: Probe) -> None:
    wrong = {"Authorization": "Bearer rp_not-a-token"}
    for _ in range(3):
        assert (await probe.http.get("/v1/things", headers=wrong)).status_code == 401
    refused = await probe.http.get("/v1/things", headers=wrong)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    # The address is held back whatever token it tries now, a valid one too, so guessing gains nothing.
    assert (await probe.http.get("/v1/things", headers=probe.ops)).status_code == 429
    # Requests without a token (health, public routes) are not held back.
    assert (await probe.http.get("/health/live")).status_code == 200
    probe.clock.advance(timedelta(seconds=61))
    assert (await probe.http.get("/v1/things", headers=probe.ops)).status_code == 200
    assert (await probe.http.get("/v1/things", headers=wrong)).status_code == 401


async def test_a_limited_route_answers_429_with_retry_after_and_recovers_after_the_window(probe: Probe) -> None:
    assert [(await probe.http.get("/v1/limited")).status_code for _ in range(2)] == [200, 200]
    probe.clock.advance(timedelta(seconds=20))
    refused = await probe.http.get("/v1/limited")
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "40"
    probe.clock.advance(timedelta(seconds=40))
    assert (await probe.http.get("/v1/limited")).status_code == 200
