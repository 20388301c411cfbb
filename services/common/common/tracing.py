"""Traces across the event flow (OpenTelemetry): a service's tracer, request spans, the ``traceparent`` hand-over.

One trace follows a change from the HTTP request that made it to every consumer that applied it:

- ``TracingMiddleware`` opens a SERVER span per request (continuing a caller's W3C ``traceparent``);
- the outbox stores ``current_traceparent()`` with each row it queues and the relay sends it on as the
  record's ``ce_traceparent`` header (the CloudEvents distributed-tracing extension);
- the consumer opens one CONSUMER span per batch (``batch_span``): a batch whose records come from one
  span (a batch of one) continues that trace as a child; a batch from many spans starts its own trace
  with a LINK to each of their contexts; events emitted while the batch is applied carry it on.

Off by default (``OTEL_EXPORTER_OTLP_ENDPOINT`` unset): the tracer is OpenTelemetry's no-op one, the
middleware is not installed, no span is started and no header is added, so nothing costs anything.
Each service has a ``TracerProvider`` of its own (never the process-global one), so services run in one
process (tests) keep their own ``service.name`` and exporter.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter
from opentelemetry.trace import Link, Span, SpanContext, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from common.logging import get_logger

__all__ = [
    "TRACEPARENT_HEADER",
    "Tracing",
    "TracingMiddleware",
    "context_of",
    "current_traceparent",
]

log = get_logger(__name__)

# The Kafka header of the CloudEvents distributed-tracing extension's ``traceparent`` attribute.
TRACEPARENT_HEADER = "ce_traceparent"
_PROPAGATOR = TraceContextTextMapPropagator()
# How long the exporter may take to send what is left when the service stops.
_SHUTDOWN_FLUSH_MS = 5_000
# Whether any service in this process traces: until one does, ``current_traceparent`` returns at once.
_tracing_in_process = False


class Tracing:
    """A service's tracer: the no-op one when tracing is off, else one exporting through its own provider."""

    def __init__(self, tracer: trace.Tracer, provider: TracerProvider | None = None) -> None:
        self.tracer = tracer
        self._provider = provider

    @property
    def enabled(self) -> bool:
        """Whether spans are recorded and exported (False: every tracing step is skipped)."""
        return self._provider is not None

    @classmethod
    def off(cls) -> Tracing:
        """No spans, no headers."""
        return cls(trace.NoOpTracer())

    @classmethod
    def exporting(cls, service_name: str, exporter: SpanExporter, *, region: str = "", batch: bool = True) -> Tracing:
        """Spans of ``service_name`` sent to ``exporter`` (``batch=False``: each span as it ends, for tests).

        The sampler is the SDK's, read from the standard ``OTEL_TRACES_SAMPLER``/``OTEL_TRACES_SAMPLER_ARG``
        (default: every trace).
        """
        global _tracing_in_process
        _tracing_in_process = True
        attributes: dict[str, Any] = {"service.name": service_name}
        if region:
            attributes["service.namespace"] = region
        provider = TracerProvider(resource=Resource.create(attributes))
        processor = BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
        provider.add_span_processor(processor)
        return cls(provider.get_tracer("common.tracing"), provider)

    @classmethod
    def from_endpoint(cls, service_name: str, endpoint: str | None, *, region: str = "") -> Tracing:
        """OTLP/HTTP to the collector at ``endpoint`` (its base URL, e.g. ``http://collector:4318``); off if unset."""
        if not endpoint:
            return cls.off()
        # Imported here: the exporter pulls in protobuf and requests, which a service without tracing never needs.
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")
        log.info("tracing_enabled", endpoint=endpoint)
        return cls.exporting(service_name, exporter, region=region)

    def shutdown(self) -> None:
        """Export what is still buffered (bounded) and stop the exporter."""
        if self._provider is not None:
            self._provider.force_flush(_SHUTDOWN_FLUSH_MS)
            self._provider.shutdown()

    @contextmanager
    def batch_span(self, name: str, traceparents: Iterable[str | None], **attributes: Any) -> Iterator[Span | None]:
        """The current span while a consumer applies one batch (None when tracing is off).

        Records all from one span (a batch of one, or the events one request emitted): that span is the parent
        (the batch continues the producer's trace). From several: a new trace linked to each of their
        contexts, since a span has one parent but such a batch has many.
        """
        if not self.enabled:
            yield None
            return
        # One per producing span: the events one request emitted together are one parent, not many.
        distinct = {(c.trace_id, c.span_id): c for c in map(context_of, traceparents) if c is not None}
        contexts = list(distinct.values())
        parent = None
        links: list[Link] = []
        if len(contexts) == 1:
            parent = trace.set_span_in_context(trace.NonRecordingSpan(contexts[0]))
        else:
            links = [Link(context) for context in contexts]
        with (
            self.tracer.start_as_current_span(
                name,
                context=parent,
                kind=SpanKind.CONSUMER,
                links=links,
                attributes=attributes,
                record_exception=False,
                set_status_on_exception=False,
            ) as span,
            _failure_by_class(span),
        ):
            yield span


def current_traceparent() -> str | None:
    """The W3C ``traceparent`` of the current span, for the outbox; None outside any span.

    With tracing off there is never a valid current span, so nothing is looked up: no header.
    """
    if not _tracing_in_process:
        return None
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"


def context_of(traceparent: str | None) -> SpanContext | None:
    """The remote span context a ``traceparent`` names; None when absent or malformed (never an error)."""
    if not traceparent:
        return None
    context = trace.get_current_span(_PROPAGATOR.extract({"traceparent": traceparent})).get_span_context()
    return context if context.is_valid else None


@contextmanager
def _failure_by_class(span: Span) -> Iterator[None]:
    """Mark ``span`` failed by the exception's class only: its message may quote a personal value."""
    try:
        yield
    except BaseException as error:
        span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        raise


class TracingMiddleware:
    """A SERVER span per HTTP request, named by method and route template, continuing a caller's ``traceparent``."""

    def __init__(self, app: ASGIApp, tracing: Tracing) -> None:
        self._app = app
        self._tracer = tracing.tracer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        carrier = {name.decode("latin-1"): value.decode("latin-1") for name, value in scope["headers"]}
        method = scope["method"]
        with self._tracer.start_as_current_span(
            method,
            context=_PROPAGATOR.extract(carrier),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method},
            record_exception=False,
            set_status_on_exception=False,
        ) as span:

            async def send_and_note(message: Message) -> None:
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                    span.set_attribute("http.response.status_code", status)
                    if status >= 500:  # a 4xx is the caller's mistake, not a failure of the request's work
                        span.set_status(Status(StatusCode.ERROR))
                await send(message)

            try:
                with _failure_by_class(span):
                    await self._app(scope, receive, send_and_note)
            finally:
                # The route is known only once the router matched: a template, never the raw path.
                route = getattr(scope.get("route"), "path", None)
                if isinstance(route, str):
                    span.update_name(f"{method} {route}")
                    span.set_attribute("http.route", route)
