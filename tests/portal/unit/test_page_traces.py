"""With tracing on, a page is one span and each API call it makes carries that span as its parent."""

from __future__ import annotations

import httpx
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from common.tracing import Tracing
from portal.config import Settings
from portal.main import create_app
from tests.portal.unit.conftest import SECRET
from tests.portal.unit.fake_services import FakeServices


async def test_a_pages_api_calls_carry_its_span_as_their_traceparent(services: FakeServices) -> None:
    exporter = InMemorySpanExporter()
    app = create_app(
        Settings(secret=SECRET, development=False, cookie_secure=True),
        transport=services.transport(),
        tracing=Tracing.exporting("portal", exporter, batch=False),
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://portal.test") as client:
            response = await client.get("/vacatures?q=bus")

    assert response.status_code == 200
    [page] = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert page.name == "GET /vacatures"
    assert page.resource.attributes["service.name"] == "portal"
    expected = f"00-{page.context.trace_id:032x}-{page.context.span_id:016x}-{int(page.context.trace_flags):02x}"
    assert services.traceparents, "the page asked the registry"
    assert set(services.traceparents) == {expected}


async def test_without_tracing_no_call_carries_a_traceparent(portal: httpx.AsyncClient, services: FakeServices) -> None:
    assert (await portal.get("/vacatures?q=bus")).status_code == 200

    assert services.traceparents
    assert set(services.traceparents) == {None}
