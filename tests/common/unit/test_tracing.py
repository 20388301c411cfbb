"""Trace context across the outbox and Kafka: the ``ce_traceparent`` round trip, batch spans, request spans."""

from __future__ import annotations

import json

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from common.outbox import record_headers
from common.tracing import TRACEPARENT_HEADER, Tracing, TracingMiddleware, context_of, current_traceparent
from contracts import EventEnvelope

_CALLER = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def _envelope() -> EventEnvelope:
    return EventEnvelope(source="/regions/r/registry", type="t.v1", subject="s-1", tenant="vc-a", region="r")


def _outbox_headers(envelope: EventEnvelope) -> str:
    """The headers JSON the outbox stores for ``envelope``."""
    return json.dumps([[name, value.decode()] for name, value in envelope.to_headers()])


def test_the_current_span_travels_as_ce_traceparent_and_comes_back_as_the_same_context() -> None:
    exporter = InMemorySpanExporter()
    tracing = Tracing.exporting("registry", exporter, batch=False)
    envelope = _envelope()
    with tracing.tracer.start_as_current_span("request") as span:
        traceparent = current_traceparent()
    assert traceparent is not None

    headers = record_headers(_outbox_headers(envelope), traceparent)

    assert (TRACEPARENT_HEADER, traceparent.encode()) in headers
    received = EventEnvelope.from_headers(headers)
    assert received.traceparent == traceparent
    assert received.model_copy(update={"traceparent": None}) == envelope
    context = context_of(received.traceparent)
    assert context is not None
    assert (context.trace_id, context.span_id) == (span.get_span_context().trace_id, span.get_span_context().span_id)
    assert context.is_remote


def test_with_tracing_off_there_is_no_traceparent_and_the_headers_stay_as_they_were() -> None:
    tracing = Tracing.off()
    envelope = _envelope()
    with tracing.tracer.start_as_current_span("request"):
        traceparent = current_traceparent()

    assert traceparent is None
    assert not tracing.enabled
    assert record_headers(_outbox_headers(envelope), traceparent) == envelope.to_headers()
    with tracing.batch_span("process t", [_CALLER]) as span:
        assert span is None
        assert current_traceparent() is None


def test_a_batch_of_one_continues_its_records_trace_as_a_child() -> None:
    exporter = InMemorySpanExporter()
    tracing = Tracing.exporting("reporting", exporter, batch=False)
    with tracing.batch_span("process t", [_CALLER]):
        emitted = current_traceparent()

    (span,) = exporter.get_finished_spans()
    assert span.kind == SpanKind.CONSUMER
    assert span.parent is not None
    assert span.parent.span_id == 0x00F067AA0BA902B7
    assert span.context is not None
    assert span.context.trace_id == 0x4BF92F3577B34DA6A3CE929D0E0E4736
    # What the batch emits carries the batch span on (same trace, the batch span as parent).
    assert emitted == f"00-{span.context.trace_id:032x}-{span.context.span_id:016x}-01"


def test_a_batch_whose_records_all_come_from_one_span_is_its_child() -> None:
    exporter = InMemorySpanExporter()
    tracing = Tracing.exporting("reporting", exporter, batch=False)
    with tracing.batch_span("process t", [_CALLER, None, _CALLER, _CALLER]):
        pass

    (span,) = exporter.get_finished_spans()
    assert span.parent is not None
    assert span.parent.span_id == 0x00F067AA0BA902B7
    assert span.links == ()


def test_a_batch_of_many_links_every_records_context_and_ignores_a_malformed_one() -> None:
    exporter = InMemorySpanExporter()
    tracing = Tracing.exporting("reporting", exporter, batch=False)
    other = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    with tracing.batch_span("process t", [_CALLER, None, "not-a-traceparent", other]):
        pass

    (span,) = exporter.get_finished_spans()
    assert span.parent is None
    linked = {(link.context.trace_id, link.context.span_id) for link in span.links}
    assert linked == {
        (0x4BF92F3577B34DA6A3CE929D0E0E4736, 0x00F067AA0BA902B7),
        (0x0AF7651916CD43DD8448EB211C80319C, 0xB7AD6B7169203331),
    }


async def test_a_request_span_is_named_by_its_route_and_continues_the_callers_trace() -> None:
    exporter = InMemorySpanExporter()
    tracing = Tracing.exporting("registry", exporter, batch=False)
    app = FastAPI()
    seen: list[str | None] = []

    @app.post("/v1/things/{thing_id}", status_code=201)
    async def make(thing_id: str) -> dict[str, str]:
        seen.append(current_traceparent())
        return {"id": thing_id}

    app.add_middleware(TracingMiddleware, tracing=tracing)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        response = await client.post("/v1/things/secret-id", headers={"traceparent": _CALLER})
    assert response.status_code == 201

    (span,) = exporter.get_finished_spans()
    assert span.name == "POST /v1/things/{thing_id}"  # the template, never the path with its ids
    assert span.kind == SpanKind.SERVER
    assert span.attributes is not None
    assert span.attributes["http.response.status_code"] == 201
    assert span.context is not None
    assert span.context.trace_id == 0x4BF92F3577B34DA6A3CE929D0E0E4736
    assert seen == [f"00-{span.context.trace_id:032x}-{span.context.span_id:016x}-01"]


def test_a_failed_batch_is_marked_by_its_exception_class_never_its_message() -> None:
    exporter = InMemorySpanExporter()
    tracing = Tracing.exporting("reporting", exporter, batch=False)
    with pytest.raises(ValueError, match="duplicate key"), tracing.batch_span("process t", [_CALLER]):
        raise ValueError("duplicate key: jan@example.nl")

    (span,) = exporter.get_finished_spans()
    assert span.status.status_code == StatusCode.ERROR
    assert span.status.description == "ValueError"
    assert span.events == ()  # no exception event quoting the message
