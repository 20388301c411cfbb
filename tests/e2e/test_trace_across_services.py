"""One trace from a registry request to reporting's batch: both in-process on real Kafka and PostgreSQL."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Sequence

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from common.tracing import TRACEPARENT_HEADER, Tracing
from contracts.events import VolunteerRegistered
from tests.reporting.integration.conftest import running_reporting
from tests.support.registry_client import running_registry

pytestmark = [pytest.mark.integration]

_REGISTER = "POST /v1/centrales/{centrale_id}/volunteers"


def _trace_ids_behind(span: ReadableSpan) -> set[int]:
    """The traces a span belongs to or continues: its own, its parent's, and those of its links."""
    assert span.context is not None
    ids = {span.context.trace_id}
    if span.parent is not None:
        ids.add(span.parent.trace_id)
    ids.update(link.context.trace_id for link in span.links)
    return ids


async def _batch_span_continuing(exporter: InMemorySpanExporter, trace_id: int, timeout: float = 60) -> ReadableSpan:
    """Reporting's batch span of ``registry.volunteers.v1`` that continues ``trace_id`` (waiting for it)."""
    deadline = time.monotonic() + timeout
    while True:
        spans: Sequence[ReadableSpan] = exporter.get_finished_spans()
        for span in spans:
            if (
                span.kind == SpanKind.CONSUMER
                and span.name == f"process {VolunteerRegistered.topic}"
                and trace_id in _trace_ids_behind(span)
            ):
                return span
        assert time.monotonic() < deadline, [(s.name, s.kind) for s in spans]
        await asyncio.sleep(0.1)


async def test_one_trace_runs_from_the_registration_request_to_reportings_batch(
    kafka_bootstrap: str, postgres_server_dsn: str
) -> None:
    registry_spans, reporting_spans = InMemorySpanExporter(), InMemorySpanExporter()
    registry_tracing = Tracing.exporting("registry", registry_spans, batch=False)
    reporting_tracing = Tracing.exporting("reporting", reporting_spans, batch=False)
    async with (
        running_reporting(kafka_bootstrap, postgres_server_dsn, tracing=reporting_tracing),
        running_registry(
            kafka_bootstrap, postgres_server_dsn, secrets.token_urlsafe(24), tracing=registry_tracing
        ) as registry,
    ):
        centrale_id, staff = await registry.new_centrale()
        volunteer_id = await registry.register_volunteer(centrale_id, staff)

        requests = [span for span in registry_spans.get_finished_spans() if span.name == _REGISTER]
        assert len(requests) == 1, [span.name for span in registry_spans.get_finished_spans()]
        request = requests[0]
        assert request.kind == SpanKind.SERVER
        assert request.attributes is not None
        assert request.attributes["http.response.status_code"] == 201
        assert request.context is not None
        trace_id = request.context.trace_id

        # The record on Kafka carries the request's context in the CloudEvents tracing extension's header.
        (record,) = await registry.events(VolunteerRegistered.topic, volunteer_id, 1)
        traceparent = dict(record.headers)[TRACEPARENT_HEADER].decode()
        assert traceparent.split("-")[1] == f"{trace_id:032x}"

        batch = await _batch_span_continuing(reporting_spans, trace_id)
        assert batch.resource.attributes["service.name"] == "reporting"
        assert batch.attributes is not None
        assert batch.attributes["messaging.destination.name"] == VolunteerRegistered.topic
        assert batch.attributes["consumer.applied"] >= 1
