"""Spans reach an OTLP/HTTP receiver at ``OTEL_EXPORTER_OTLP_ENDPOINT``: a real HTTP server on a free port."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from common.tracing import Tracing
from registry.config import Settings

pytestmark = pytest.mark.integration


class _Collector(BaseHTTPRequestHandler):
    """Keeps every POST's path, content type and body; answers 200 as a collector does."""

    received: list[tuple[str, str, bytes]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers["Content-Type"], body))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[tuple[str, list[tuple[str, str, bytes]]]]:
    """An OTLP/HTTP receiver stand-in on 127.0.0.1 and a free port: its base URL and what it received."""
    received: list[tuple[str, str, bytes]] = []
    handler = type("Collector", (_Collector,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


def test_a_service_with_the_endpoint_set_sends_its_spans_to_the_collectors_v1_traces(
    collector: tuple[str, list[tuple[str, str, bytes]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint, received = collector
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"{endpoint}/")
    settings = Settings(development=True)
    tracing = Tracing.from_endpoint("registry", settings.otel_exporter_otlp_endpoint, region="testregio")
    assert tracing.enabled
    with tracing.tracer.start_as_current_span("POST /v1/centrales"):
        pass
    tracing.shutdown()  # flushes the batch

    assert [(path, content_type) for path, content_type, _ in received] == [("/v1/traces", "application/x-protobuf")]
    request = ExportTraceServiceRequest.FromString(received[0][2])
    (resource_spans,) = request.resource_spans
    resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
    assert resource["service.name"] == "registry"
    assert resource["service.namespace"] == "testregio"
    assert [span.name for scope in resource_spans.scope_spans for span in scope.spans] == ["POST /v1/centrales"]


def test_without_the_endpoint_tracing_is_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_EXPORTER_OTLP_ENDPOINT", raising=False)
    settings = Settings(development=True)
    assert settings.otel_exporter_otlp_endpoint is None
    assert not Tracing.from_endpoint("registry", settings.otel_exporter_otlp_endpoint).enabled
    assert not Tracing.from_endpoint("registry", "").enabled  # compose passes an unset variable as ""
