"""The metrics module without servers: one registry per app, route templates as labels, per-batch counting."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from common.observability import Metrics, instrument_app


def _samples(metrics: Metrics, name: str) -> dict[frozenset[tuple[str, str]], float]:
    text = generate_latest(metrics.registry).decode()
    return {
        frozenset(sample.labels.items()): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    }


def _app(metrics: Metrics) -> FastAPI:
    app = FastAPI()

    @app.get("/v1/volunteers/{volunteer_id}")
    async def volunteer(volunteer_id: str) -> dict[str, str]:
        return {"id": volunteer_id}

    @app.post("/v1/crash")
    async def crash() -> None:
        raise RuntimeError("boom")

    instrument_app(app, metrics)
    return app


async def test_requests_are_counted_per_route_template_and_never_per_raw_path() -> None:
    metrics = Metrics("registry")
    transport = httpx.ASGITransport(app=_app(metrics), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        for volunteer_id in ("3f2a", "9c1b"):
            assert (await http.get(f"/v1/volunteers/{volunteer_id}")).status_code == 200
        assert (await http.get("/wp-admin/setup.php")).status_code == 404
        assert (await http.post("/v1/crash")).status_code == 500
        assert (await http.request("PROPFIND", "/v1/volunteers/3f2a")).status_code == 405
        scraped = await http.get("/metrics")
    assert scraped.status_code == 200
    requests = {
        (dict(labels)["method"], dict(labels)["route"], dict(labels)["status"]): value
        for labels, value in _samples(metrics, "regio_http_requests_total").items()
    }
    assert requests == {
        ("GET", "/v1/volunteers/{volunteer_id}", "200"): 2,
        ("GET", "unmatched", "404"): 1,
        ("POST", "/v1/crash", "500"): 1,
        ("other", "/v1/volunteers/{volunteer_id}", "405"): 1,
        ("GET", "/metrics", "200"): 1,
    }
    assert "3f2a" not in scraped.text
    assert "wp-admin" not in scraped.text
    assert _samples(metrics, "regio_http_requests_in_progress") == {frozenset({("service", "registry")}): 0}


def test_every_app_has_a_registry_of_its_own_and_the_global_one_stays_empty() -> None:
    first, second = Metrics("registry"), Metrics("matching")
    first.consumer.batch_done(
        "regio.volunteers", mode="batch", outcomes={"applied": 3}, seconds=0.01, oldest_applied_age_s=1.0
    )
    assert _samples(first, "regio_consumer_records_total")
    assert _samples(second, "regio_consumer_records_total") == {}
    assert b"regio_" not in generate_latest(REGISTRY)


def test_a_batch_is_counted_per_outcome_in_one_call() -> None:
    metrics = Metrics("reporting")
    batches = [({"applied": 5, "duplicate": 2, "skipped": 1, "dead_lettered": 0}, 2.0), ({"dead_lettered": 1}, None)]
    for outcomes, oldest_applied_age_s in batches:
        metrics.consumer.batch_done(
            "regio.matches", mode="batch", outcomes=outcomes, seconds=0.02, oldest_applied_age_s=oldest_applied_age_s
        )
    records = {
        dict(labels)["outcome"]: value for labels, value in _samples(metrics, "regio_consumer_records_total").items()
    }
    assert records == {"applied": 5, "duplicate": 2, "skipped": 1, "dead_lettered": 1}
    assert _samples(metrics, "regio_consumer_batches_total") == {
        frozenset({("service", "reporting"), ("topic", "regio.matches"), ("mode", "batch")}): 2
    }
    # No event was applied in the second batch: the apply latency has one observation, of the first.
    assert list(_samples(metrics, "regio_consumer_apply_latency_seconds_count").values()) == [1]
    assert list(_samples(metrics, "regio_consumer_apply_latency_seconds_sum").values()) == [2.0]
